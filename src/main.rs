fn main() {
    std::process::exit(sidguard::cli::main());
}

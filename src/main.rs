fn main() {
    // glibc's malloc serves blocks over 128 KiB with their own mmap and unmaps them on free:
    // a commit hook's few large buffers (the decoded index, the path list) each cost a
    // munmap and its TLB flush. Served from the heap instead, and the heap left untrimmed,
    // they go back at exit in one piece. (Other allocators decide for themselves.)
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
    std::process::exit(sidguard::cli::main());
}

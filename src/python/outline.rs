//! A cheap outline of a Python file: where each `def` and `class` starts and ends, which
//! logical lines are imports, and which names the module binds. One linear pass over the
//! bytes, aware of strings, comments, brackets and line continuations, with no parse tree.
//!
//! This is what lets the diff modes re-parse only the functions a change touches: finding
//! the function around line 10,000 of a 20,000-line file costs a byte scan, not a parse.
//! The outline is a best effort on broken input; callers verify each slice by parsing it
//! and fall back to a full parse when the slice does not hold the expected definition.
//! Lines are counted by `\n` only, as git and tree-sitter count them.

/// A `def` or `class` found by the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub kind: DefKind,
    pub name: String,
    /// Dotted name through enclosing classes and functions (`LoginView.post`).
    pub qualname: String,
    /// First line (1-based), including decorators.
    pub start_line: usize,
    /// Line of the `def`/`class` keyword.
    pub header_line: usize,
    /// Last line of the body (1-based, inclusive).
    pub end_line: usize,
    /// Indentation of the header, in columns (tabs to multiples of 8).
    pub indent: usize,
    /// Byte range covering `start_line..=end_line`, whole lines.
    pub start_byte: usize,
    pub end_byte: usize,
    /// Index of the enclosing `Def`, if any.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Class,
}

/// A logical line outside any function (module or class level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLine {
    pub kind: TopKind,
    pub start_line: usize,
    pub end_line: usize,
    pub start_byte: usize,
    pub end_byte: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopKind {
    Import,
    /// `NAME = ...` or `NAME: T = ...`; the bound name is in `Outline::bindings`.
    Assign,
    Other,
}

/// How a module-level name is bound, and where (the last binding in file order wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub line: usize,
    pub kind: BindingKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    Function,
    Class,
    Assign,
}

#[derive(Debug, Default, Clone)]
pub struct Outline {
    pub defs: Vec<Def>,
    /// Logical lines that are not inside any function.
    pub top_lines: Vec<TopLine>,
    /// Names bound at module level by `def`, `class` and simple assignments (imports are
    /// parsed from `top_lines` separately).
    pub bindings: Vec<Binding>,
    /// Byte offset where each line starts (index 0 is line 1).
    pub line_starts: Vec<usize>,
    /// The first place the scan had to recover from text that is not valid Python (a bracket
    /// never closed, a string never ended): the file does not compile, and what follows may
    /// be outlined differently from the author's intent.
    pub problem: Option<Problem>,
}

/// Broken text the outline recovered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line where the broken construct starts.
    pub line: usize,
    pub what: ProblemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A `(`, `[` or `{` still open where a `def`, `class` or decorator starts, or at the end.
    UnclosedBracket(u8),
    /// A string literal still open at the end of its line (or, triple-quoted, of the file).
    UnterminatedString,
}

impl Problem {
    /// A sentence for reports: `(` opened on line 10 is never closed.
    pub fn describe(&self) -> String {
        match self.what {
            ProblemKind::UnclosedBracket(b) => format!(
                "syntax error: `{}` opened on line {} is never closed",
                b as char, self.line
            ),
            ProblemKind::UnterminatedString => {
                format!(
                    "syntax error: string started on line {} never ends",
                    self.line
                )
            }
        }
    }
}

impl Outline {
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset of the start of 1-based `line` (or the end of input past the last line).
    pub fn line_start(&self, line: usize, len: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(len)
    }

    /// Innermost function whose lines contain `line`.
    pub fn function_at(&self, line: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, d) in self.defs.iter().enumerate() {
            if d.kind == DefKind::Function && d.start_line <= line && line <= d.end_line {
                match best {
                    Some(b) if self.defs[b].start_line > d.start_line => {}
                    _ => best = Some(i),
                }
            }
        }
        best
    }

    /// The function with this qualified name (the first one, if redefined).
    pub fn function_named(&self, qualname: &str) -> Option<usize> {
        self.defs
            .iter()
            .position(|d| d.kind == DefKind::Function && d.qualname == qualname)
    }

    /// The def a call of `name` runs: function `name`, or the `__init__` of class `name`
    /// (calling a class runs its constructor: `CASv2_xml(resp.text)` validates a CAS answer).
    pub fn callable_named(&self, name: &str) -> Option<usize> {
        self.function_named(name).or_else(|| {
            self.defs
                .iter()
                .any(|d| d.kind == DefKind::Class && d.qualname == name)
                .then(|| self.function_named(&format!("{name}.__init__")))
                .flatten()
        })
    }

    /// The last module-level binding of `name`, if the module binds it.
    pub fn last_binding(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().rev().find(|b| b.name == name)
    }
}

/// Scans `src` and returns its outline. Never fails; garbage in gives a partial outline.
pub fn scan(src: &[u8]) -> Outline {
    Scanner::new(src).run()
}

struct Open {
    def: usize,
    indent: usize,
}

struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    out: Outline,
    stack: Vec<Open>,
    pending_decorator: Option<(usize, usize)>,
    last_logical_end: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a [u8]) -> Self {
        let mut line_starts = Vec::with_capacity(src.len() / 32 + 1);
        line_starts.push(0);
        for i in memchr_iter(b'\n', src) {
            if i + 1 < src.len() {
                line_starts.push(i + 1);
            }
        }
        Scanner {
            src,
            pos: 0,
            line: 1,
            out: Outline {
                line_starts,
                ..Outline::default()
            },
            stack: Vec::new(),
            pending_decorator: None,
            last_logical_end: 0,
        }
    }

    fn run(mut self) -> Outline {
        // Skip a UTF-8 byte order mark.
        if self.src.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
        while self.pos < self.src.len() {
            // At the start of a physical line, outside brackets.
            let line_start = self.pos;
            let indent = self.measure_indent();
            match self.src.get(self.pos) {
                None => break,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    continue;
                }
                Some(b'#') => {
                    self.skip_to_eol();
                    continue;
                }
                Some(b'\\') if self.src.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                    continue;
                }
                _ => {}
            }
            let first_line = self.line;
            let code_start = self.pos;
            self.logical_line(indent);
            let end_line = self.line_of_last_byte(code_start);
            self.on_logical_line(line_start, code_start, first_line, end_line, indent);
        }
        let end = self.last_logical_end;
        while let Some(open) = self.stack.pop() {
            self.close(open.def, end);
        }
        self.out
    }

    /// Counts indentation columns and advances past them.
    fn measure_indent(&mut self) -> usize {
        let mut col = 0;
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b' ' => col += 1,
                b'\t' => col = (col / 8 + 1) * 8,
                b'\x0c' => col = 0,
                b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
        col
    }

    fn skip_to_eol(&mut self) {
        match memchr(b'\n', &self.src[self.pos..]) {
            Some(i) => self.pos += i,
            None => self.pos = self.src.len(),
        }
    }

    /// Consumes one logical line, leaving `pos` after its final newline (or at the end).
    /// `indent`: the line's indentation. A bracket left open where a physical line at that
    /// indentation or less starts a `def`, `class` or decorated definition cannot be valid
    /// Python (a statement cannot sit inside an expression): the logical line ends before it,
    /// so a typo does not swallow the definitions after it. The first such recovery, and a
    /// bracket still open at the end of the file, is recorded as the outline's `problem`.
    fn logical_line(&mut self, indent: usize) {
        let mut depth: usize = 0;
        let mut opened: Option<(usize, u8)> = None;
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    if depth == 0 {
                        return;
                    }
                    if self.definition_starts(self.pos, indent) {
                        if let Some((line, bracket)) = opened {
                            self.note_problem(line, ProblemKind::UnclosedBracket(bracket));
                        }
                        return;
                    }
                }
                b'#' => self.skip_to_eol(),
                b'\\' => {
                    self.pos += 1;
                    if self.src.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                        self.line += 1;
                    }
                }
                b'(' | b'[' | b'{' => {
                    if depth == 0 {
                        opened = Some((self.line, b));
                    }
                    depth += 1;
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                b'"' | b'\'' => self.string(b),
                _ => self.pos += 1,
            }
        }
        if let (true, Some((line, bracket))) = (depth > 0, opened) {
            self.note_problem(line, ProblemKind::UnclosedBracket(bracket));
        }
    }

    fn note_problem(&mut self, line: usize, what: ProblemKind) {
        if self.out.problem.is_none() {
            self.out.problem = Some(Problem { line, what });
        }
    }

    /// Does the physical line at `at` start, at an indentation of `indent` or less, a `def`,
    /// `class` or `async def`, or a decorator line followed (after more decorators, blank
    /// lines and comments) by one?
    fn definition_starts(&self, at: usize, indent: usize) -> bool {
        let mut at = at;
        let mut decorated = false;
        loop {
            let Some(rest) = self.src.get(at..) else {
                return false;
            };
            let mut col = 0;
            let mut i = 0;
            while let Some(&b) = rest.get(i) {
                match b {
                    b' ' => col += 1,
                    b'\t' => col = (col / 8 + 1) * 8,
                    b'\r' | b'\x0c' => {}
                    _ => break,
                }
                i += 1;
            }
            let text = &rest[i..];
            let blank = matches!(text.first(), None | Some(b'\n') | Some(b'#'));
            if blank && decorated {
                // Between a decorator and its definition.
                match memchr(b'\n', rest) {
                    Some(n) => {
                        at += n + 1;
                        continue;
                    }
                    None => return false,
                }
            }
            if blank || col > indent {
                return false;
            }
            if def_header(text).is_some() {
                return true;
            }
            // `@name...` on a line of its own, then look at the next line.
            let decorator = text.first() == Some(&b'@')
                && text
                    .get(1)
                    .is_some_and(|b| is_ident_byte(*b) && !b.is_ascii_digit());
            if !decorator {
                return false;
            }
            decorated = true;
            match memchr(b'\n', rest) {
                Some(n) => at += n + 1,
                None => return false,
            }
        }
    }

    /// Skips a string literal starting at `pos` (prefixes were consumed as ordinary bytes).
    fn string(&mut self, quote: u8) {
        let start_line = self.line;
        let triple = self.src.get(self.pos + 1) == Some(&quote)
            && self.src.get(self.pos + 2) == Some(&quote);
        self.pos += if triple { 3 } else { 1 };
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b'\\' => {
                    // `\r\n` after a backslash continues the string as `\n` does.
                    if self.src.get(self.pos + 1) == Some(&b'\r')
                        && self.src.get(self.pos + 2) == Some(&b'\n')
                    {
                        self.pos += 1;
                    }
                    if self.src.get(self.pos + 1) == Some(&b'\n') {
                        self.line += 1;
                    }
                    self.pos += 2;
                }
                b'\n' => {
                    if !triple {
                        // Unterminated single-quoted string: end it at the line end.
                        self.note_problem(self.line, ProblemKind::UnterminatedString);
                        return;
                    }
                    self.line += 1;
                    self.pos += 1;
                }
                _ if b == quote => {
                    if !triple {
                        self.pos += 1;
                        return;
                    }
                    if self.src.get(self.pos + 1) == Some(&quote)
                        && self.src.get(self.pos + 2) == Some(&quote)
                    {
                        self.pos += 3;
                        return;
                    }
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.src.len());
        self.note_problem(start_line, ProblemKind::UnterminatedString);
    }

    /// The line holding the last non-newline byte consumed since `from`.
    fn line_of_last_byte(&self, from: usize) -> usize {
        let mut end = self.pos.min(self.src.len());
        while end > from && matches!(self.src[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
            end -= 1;
        }
        // Count newlines between `from` and `end`, added to the line where `from` sits.
        let start_line = match self.out.line_starts.binary_search(&from) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        start_line + memchr_iter(b'\n', &self.src[from..end]).count()
    }

    fn on_logical_line(
        &mut self,
        line_start: usize,
        code_start: usize,
        first_line: usize,
        end_line: usize,
        indent: usize,
    ) {
        // Close every block this line dedents out of.
        while let Some(top) = self.stack.last() {
            if indent <= top.indent {
                let open = self.stack.pop().expect("checked");
                let end = self.last_logical_end;
                self.close(open.def, end);
            } else {
                break;
            }
        }
        let text = &self.src[code_start..self.pos.min(self.src.len())];
        let end_byte = self.pos.min(self.src.len());
        let in_function = self
            .stack
            .iter()
            .any(|o| self.out.defs[o.def].kind == DefKind::Function);
        let at_module = self.stack.is_empty();

        if text.first() == Some(&b'@') {
            if self.pending_decorator.is_none() {
                self.pending_decorator = Some((first_line, line_start));
            }
            self.last_logical_end = end_line;
            return;
        }
        let header = def_header(text);
        let decorator = self.pending_decorator.take();
        if let Some((kind, name)) = header {
            let (start_line, start_byte) = decorator.unwrap_or((first_line, line_start));
            let parent = self.stack.last().map(|o| o.def);
            let mut qualname = match parent {
                Some(p) => format!("{}.{}", self.out.defs[p].qualname, name),
                None => name.clone(),
            };
            // A property's setter (`@token.setter def token(self, value)`) shares its
            // getter's name: it is `Class.token.fset`, as Python spells it, so that each has
            // its own qualified name.
            if kind == DefKind::Function
                && parent.is_some_and(|p| self.out.defs[p].kind == DefKind::Class)
                && decorator.is_some_and(|(_, from)| {
                    setter_decorated(self.src.get(from..line_start).unwrap_or(&[]), &name)
                })
            {
                qualname.push_str(".fset");
            }
            if at_module {
                self.out.bindings.push(Binding {
                    name: name.clone(),
                    line: first_line,
                    kind: match kind {
                        DefKind::Function => BindingKind::Function,
                        DefKind::Class => BindingKind::Class,
                    },
                });
            }
            self.out.defs.push(Def {
                kind,
                name,
                qualname,
                start_line,
                header_line: first_line,
                end_line,
                indent,
                start_byte,
                end_byte,
                parent,
            });
            let idx = self.out.defs.len() - 1;
            self.stack.push(Open { def: idx, indent });
            self.last_logical_end = end_line;
            return;
        }
        if !in_function {
            let kind = if starts_with_word(text, b"import") || starts_with_word(text, b"from") {
                TopKind::Import
            } else if let Some(name) = assigned_name(text) {
                if at_module {
                    self.out.bindings.push(Binding {
                        name,
                        line: first_line,
                        kind: BindingKind::Assign,
                    });
                }
                TopKind::Assign
            } else {
                TopKind::Other
            };
            self.out.top_lines.push(TopLine {
                kind,
                start_line: first_line,
                end_line,
                start_byte: code_start,
                end_byte,
            });
        }
        self.last_logical_end = end_line;
    }

    fn close(&mut self, def: usize, end_line: usize) {
        let d = &mut self.out.defs[def];
        d.end_line = end_line.max(d.header_line);
        d.end_byte = self
            .out
            .line_starts
            .get(d.end_line)
            .copied()
            .unwrap_or(self.src.len());
    }
}

fn starts_with_word(text: &[u8], word: &[u8]) -> bool {
    text.starts_with(word) && !text.get(word.len()).is_some_and(|b| is_ident_byte(*b))
}

fn is_ident_byte(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80
}

fn ident_at(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = text.iter().take_while(|b| is_ident_byte(**b)).count();
    if n == 0 || text[0].is_ascii_digit() {
        return None;
    }
    Some((&text[..n], &text[n..]))
}

fn skip_ws(text: &[u8]) -> &[u8] {
    let n = text
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\\' | b'\r' | b'\n'))
        .count();
    &text[n..]
}

/// `def NAME`, `async def NAME` or `class NAME` at the start of a logical line.
/// Do the decorator lines `decorators` include `@name.setter`?
fn setter_decorated(decorators: &[u8], name: &str) -> bool {
    decorators.split(|b| *b == b'\n').any(|line| {
        let line = line.trim_ascii();
        line.strip_prefix(b"@")
            .and_then(|l| l.strip_prefix(name.as_bytes()))
            .is_some_and(|rest| rest.trim_ascii() == b".setter")
    })
}

fn def_header(text: &[u8]) -> Option<(DefKind, String)> {
    let mut rest = text;
    if starts_with_word(rest, b"async") {
        rest = skip_ws(&rest[5..]);
    }
    let kind = if starts_with_word(rest, b"def") {
        rest = &rest[3..];
        DefKind::Function
    } else if starts_with_word(rest, b"class") {
        rest = &rest[5..];
        DefKind::Class
    } else {
        return None;
    };
    let (name, _) = ident_at(skip_ws(rest))?;
    Some((kind, String::from_utf8_lossy(name).into_owned()))
}

/// `NAME = ...` or `NAME: T = ...` (not `==`), the name bound.
fn assigned_name(text: &[u8]) -> Option<String> {
    let (name, rest) = ident_at(text)?;
    let rest = skip_ws(rest);
    let ok = match rest.first() {
        Some(b'=') => rest.get(1) != Some(&b'='),
        Some(b':') => true,
        _ => false,
    };
    let keyword = matches!(
        name,
        b"if"
            | b"for"
            | b"while"
            | b"with"
            | b"try"
            | b"else"
            | b"elif"
            | b"except"
            | b"finally"
            | b"return"
            | b"lambda"
    );
    (ok && !keyword).then(|| String::from_utf8_lossy(name).into_owned())
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

fn memchr_iter(needle: u8, hay: &[u8]) -> memchr::Memchr<'_> {
    memchr::memchr_iter(needle, hay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(o: &Outline) -> Vec<(String, usize, usize)> {
        o.defs
            .iter()
            .map(|d| (d.qualname.clone(), d.start_line, d.end_line))
            .collect()
    }

    #[test]
    fn functions_classes_and_decorators() {
        let src = b"import flask\n\n@app.route('/x')\ndef login():\n    x = 1\n\n    return x\n\nclass V(View):\n    def post(self, request):\n        s = '''\ndef fake():\n'''\n        return s\n\n    async def get(self):\n        pass\nY = 2\n";
        let o = scan(src);
        assert_eq!(
            names(&o),
            vec![
                ("login".to_string(), 3, 7),
                ("V".to_string(), 9, 17),
                ("V.post".to_string(), 10, 14),
                ("V.get".to_string(), 16, 17),
            ]
        );
        assert_eq!(
            o.function_at(12),
            Some(2),
            "a def inside a string is not a def"
        );
        assert_eq!(o.function_at(8), None);
        assert!(o.last_binding("Y").is_some());
        assert_eq!(o.top_lines[0].kind, TopKind::Import);
    }

    #[test]
    fn a_property_setter_has_a_name_of_its_own() {
        let src = b"class Blue:\n    @property\n    def token(self):\n        return 1\n\n    @token.setter\n    def token(self, value):\n        pass\n\n    @other.setter\n    def token2(self, v):\n        pass\n\n@token.setter\ndef token(v):\n    pass\n";
        let o = scan(src);
        let q: Vec<String> = names(&o).into_iter().map(|(q, _, _)| q).collect();
        assert_eq!(
            q,
            vec![
                "Blue",
                "Blue.token",
                "Blue.token.fset",
                "Blue.token2",
                "token"
            ],
            "only a class's own `@name.setter` of the same name is a setter"
        );
        assert_eq!(o.defs[2].name, "token");
    }

    #[test]
    fn brackets_comments_and_continuations() {
        let src = b"def f(a,\n      b):  # comment (\n    return (a +\n  b)\ndef g(): pass\nx = \\\n  1\n";
        let o = scan(src);
        assert_eq!(names(&o), vec![("f".into(), 1, 4), ("g".into(), 5, 5)]);
        assert!(o.last_binding("x").is_some());
    }

    #[test]
    fn byte_ranges_cover_whole_lines() {
        let src = b"a = 1\ndef f():\n    pass\nb = 2\n";
        let o = scan(src);
        let d = &o.defs[0];
        assert_eq!(&src[d.start_byte..d.end_byte], b"def f():\n    pass\n");
    }

    #[test]
    fn an_unclosed_bracket_does_not_swallow_the_definitions_after_it() {
        let src = b"def helper(:\n    return 1\n\n\n@app.route('/login')\ndef login():\n    return 2\nclass K:\n    x = f(1,\n    def m(self):\n        pass\n";
        let o = scan(src);
        assert_eq!(
            names(&o),
            vec![
                ("helper".into(), 1, 2),
                ("login".into(), 5, 7),
                ("K".into(), 8, 11),
                ("K.m".into(), 10, 11),
            ]
        );
        assert_eq!(
            o.problem,
            Some(Problem {
                line: 1,
                what: ProblemKind::UnclosedBracket(b'(')
            })
        );
        // At the end of the file too.
        let o = scan(b"x = [1,\n  2,\n");
        assert_eq!(
            o.problem.map(|p| (p.line, p.what)),
            Some((1, ProblemKind::UnclosedBracket(b'[')))
        );
    }

    #[test]
    fn strings_never_ended_are_problems() {
        let o = scan(b"x = 1\ny = 'abc\ndef f():\n    pass\n");
        assert_eq!(o.problem.map(|p| p.line), Some(2));
        assert_eq!(names(&o), vec![("f".into(), 3, 4)]);
        let o = scan(b"def f():\n    \"\"\"doc\n    return 1\ndef g():\n    pass\n");
        assert_eq!(
            o.problem.map(|p| (p.line, p.what)),
            Some((2, ProblemKind::UnterminatedString))
        );
    }

    #[test]
    fn valid_brackets_across_lines_are_not_problems() {
        for src in [
            &b"x = f(\n    default=1,\n    class_=2,\n)\ndef g(): pass\n"[..],
            b"def f(a,\n      b):\n    return (a +\n  b)\n",
            b"x = [\n@dec\n]\n",
            b"s = 'it''s'\nt = \"a\\\r\nb\"\nu = '''x\ny'''\n",
            b"m = (a\n@ b)\n",
        ] {
            assert_eq!(scan(src).problem, None, "{}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for src in [
            &b"'''"[..],
            b"def",
            b"(((",
            b"\\",
            b"\xff\xfe\x00def \xff():",
            b"class :\n",
            b"\r\r\r",
            b"@\n@\n",
        ] {
            let _ = scan(src);
        }
    }
}

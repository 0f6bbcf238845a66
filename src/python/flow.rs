//! A path-sensitive walk over one function's statements.
//!
//! The engine knows Python's control flow (branches, loops, `break`/`continue`, early
//! `return` and `raise`, `try`/`except`/`else`/`finally`, `with`, `match`, short-circuit
//! operators and conditional expressions) and nothing about sessions. An `Analysis`
//! supplies the state, how two paths join, and what each atomic event does: a call (after
//! its arguments), an assignment (after its right-hand side), a comparison, a `del`.
//! `None` stands for "no path reaches here". Nested functions and classes are separate
//! units and are not entered. Recursion is bounded by `MAX_DEPTH`: deeper code is skipped
//! (and reported through `truncated`), never a stack overflow.

use crate::python::parse::Fields;
use tree_sitter::Node;

/// Deepest statement/expression nesting the walk follows.
pub const MAX_DEPTH: usize = 200;

pub trait Analysis {
    type State: Clone;
    fn join(&self, a: &Self::State, b: &Self::State) -> Self::State;
    /// An atomic event. `conditional` is true when it may not run on this path
    /// (right operand of `and`/`or`, a branch of `x if c else y`, a comprehension).
    fn event(&mut self, node: Node<'_>, state: &mut Self::State, conditional: bool);
    /// A path leaves the function normally (`return`, or the end of the body).
    fn exit(&mut self, node: Option<Node<'_>>, state: &Self::State);
    /// Does this `raise` statement, or this expression statement (a call that always
    /// raises), end the request with a response? A redirect raised as an exception
    /// (`raise web.HTTPFound(...)`, `raise cherrypy.HTTPRedirect(...)`, Bottle's
    /// `redirect()`) is a successful response, and the session is saved with it: the path
    /// leaves the function normally as well as through the exception.
    fn responds(&mut self, _node: Node<'_>) -> bool {
        false
    }
    /// The value an `if` condition is known to have on every path here, if any (a helper's
    /// flag parameter left at its default, `if cycle_session_id:`).
    fn decided(&mut self, _condition: Node<'_>) -> Option<bool> {
        None
    }
    /// A branch of an `if` or `elif` starts: `taken` is whether `condition` held. The state
    /// may learn from it (`session["uid"] != user.pk` is false: the same user is already in).
    fn branch(&mut self, _condition: Node<'_>, _taken: bool, _state: &mut Self::State) {}
}

pub struct Engine<'a, A: Analysis> {
    pub analysis: &'a mut A,
    loops: Vec<LoopFrame<A::State>>,
    tries: Vec<Vec<A::State>>,
    depth: usize,
    pub truncated: bool,
}

struct LoopFrame<S> {
    breaks: Vec<S>,
    continues: Vec<S>,
}

type St<A> = Option<<A as Analysis>::State>;

impl<'a, A: Analysis> Engine<'a, A> {
    pub fn new(analysis: &'a mut A) -> Self {
        Engine {
            analysis,
            loops: Vec::new(),
            tries: Vec::new(),
            depth: 0,
            truncated: false,
        }
    }

    /// Runs the analysis over a `function_definition`, starting from `entry`.
    /// Returns the join of the states at every normal exit.
    pub fn run_function(&mut self, func: Node<'_>, entry: A::State) -> St<A> {
        let body = func.field("body")?;
        let end = self.block(body, Some(entry));
        if let Some(st) = &end {
            self.analysis.exit(None, st);
        }
        end
    }

    fn join(&self, a: St<A>, b: St<A>) -> St<A> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(self.analysis.join(&a, &b)),
        }
    }

    fn join_all(&self, states: impl IntoIterator<Item = St<A>>) -> St<A> {
        states.into_iter().fold(None, |acc, s| self.join(acc, s))
    }

    fn block(&mut self, block: Node<'_>, mut st: St<A>) -> St<A> {
        let mut cursor = block.walk();
        for stmt in block.named_children(&mut cursor) {
            if st.is_none() {
                break;
            }
            // Out of time: the file is reported as skipped (see `budget`).
            if crate::budget::exceeded() {
                self.truncated = true;
                return st;
            }
            st = self.stmt(stmt, st);
        }
        st
    }

    fn stmt(&mut self, node: Node<'_>, st: St<A>) -> St<A> {
        if self.depth >= MAX_DEPTH {
            self.truncated = true;
            return st;
        }
        self.depth += 1;
        let out = self.stmt_inner(node, st);
        self.depth -= 1;
        out
    }

    fn stmt_inner(&mut self, node: Node<'_>, st: St<A>) -> St<A> {
        let mut st = st?;
        match node.kind() {
            "function_definition" | "class_definition" | "decorated_definition" | "comment" => {
                Some(st)
            }
            "block" => self.block(node, Some(st)),
            "return_statement" => {
                self.expr_children(node, &mut st, false);
                self.analysis.exit(Some(node), &st);
                None
            }
            "raise_statement" => {
                self.expr_children(node, &mut st, false);
                if self.analysis.responds(node) {
                    self.analysis.exit(Some(node), &st);
                }
                if let Some(frame) = self.tries.last_mut() {
                    frame.push(st);
                }
                None
            }
            "break_statement" => {
                if let Some(frame) = self.loops.last_mut() {
                    frame.breaks.push(st);
                }
                None
            }
            "continue_statement" => {
                if let Some(frame) = self.loops.last_mut() {
                    frame.continues.push(st);
                }
                None
            }
            "if_statement" => self.if_stmt(node, st),
            "for_statement" => {
                if let Some(right) = node.field("right") {
                    self.expr(right, &mut st, false);
                }
                let body = node.field("body");
                let alt = node.field("alternative");
                // The loop as a whole can be an event (popping every key is a `clear()`).
                self.loop_stmt(body, alt, st, false).map(|mut after| {
                    self.analysis.event(node, &mut after, false);
                    after
                })
            }
            "while_statement" => {
                let cond = node.field("condition");
                let infinite = cond.is_some_and(|c| c.kind() == "true");
                if let Some(c) = cond {
                    self.expr(c, &mut st, false);
                }
                let body = node.field("body");
                let alt = node.field("alternative");
                self.loop_stmt(body, alt, st, infinite)
            }
            "try_statement" => self.try_stmt(node, st),
            "with_statement" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.kind() == "with_clause" {
                        self.expr(child, &mut st, false);
                    }
                }
                match node.field("body") {
                    Some(body) => self.block(body, Some(st)),
                    None => Some(st),
                }
            }
            "match_statement" => self.match_stmt(node, st),
            _ => {
                // Simple statements: expression statements, assignments, del, assert...
                self.expr(node, &mut st, false);
                if node.kind() == "expression_statement" && self.analysis.responds(node) {
                    self.analysis.exit(Some(node), &st);
                    if let Some(frame) = self.tries.last_mut() {
                        frame.push(st);
                    }
                    return None;
                }
                Some(st)
            }
        }
    }

    fn if_stmt(&mut self, node: Node<'_>, mut st: A::State) -> St<A> {
        let cond = node.field("condition");
        let mut decided = None;
        if let Some(c) = cond {
            self.expr(c, &mut st, false);
            decided = self.analysis.decided(c);
        }
        if decided == Some(true) {
            return match node.field("consequence") {
                Some(cons) => self.block(cons, Some(st)),
                None => Some(st),
            };
        }
        let mut outs: Vec<St<A>> = Vec::new();
        if let (Some(cons), None) = (node.field("consequence"), decided) {
            let mut taken = st.clone();
            if let Some(c) = cond {
                self.analysis.branch(c, true, &mut taken);
            }
            outs.push(self.block(cons, Some(taken)));
        }
        if let Some(c) = cond {
            self.analysis.branch(c, false, &mut st);
        }
        let mut rest = Some(st);
        let mut cursor = node.walk();
        let mut has_else = false;
        for alt in node.children_by_field_name("alternative", &mut cursor) {
            let Some(mut cur) = rest.take() else { break };
            match alt.kind() {
                "elif_clause" => {
                    let cond = alt.field("condition");
                    if let Some(c) = cond {
                        self.expr(c, &mut cur, false);
                    }
                    if let Some(cons) = alt.field("consequence") {
                        let mut taken = cur.clone();
                        if let Some(c) = cond {
                            self.analysis.branch(c, true, &mut taken);
                        }
                        outs.push(self.block(cons, Some(taken)));
                    }
                    if let Some(c) = cond {
                        self.analysis.branch(c, false, &mut cur);
                    }
                    rest = Some(cur);
                }
                "else_clause" => {
                    has_else = true;
                    if let Some(body) = alt.field("body") {
                        outs.push(self.block(body, Some(cur)));
                    }
                }
                _ => rest = Some(cur),
            }
        }
        if !has_else {
            outs.push(rest);
        }
        self.join_all(outs)
    }

    fn loop_stmt(
        &mut self,
        body: Option<Node<'_>>,
        alt: Option<Node<'_>>,
        entry: A::State,
        infinite: bool,
    ) -> St<A> {
        let Some(body) = body else {
            return Some(entry);
        };
        let mut head = Some(entry.clone());
        let mut breaks = Vec::new();
        // Two passes reach the fixpoint of the finite lattices the rules use.
        for _ in 0..2 {
            self.loops.push(LoopFrame {
                breaks: Vec::new(),
                continues: Vec::new(),
            });
            let end = self.block(body, head.clone());
            let frame = self.loops.pop().expect("pushed above");
            breaks = frame.breaks;
            let back =
                self.join_all(std::iter::once(end).chain(frame.continues.into_iter().map(Some)));
            head = self.join(Some(entry.clone()), back);
        }
        // Leaving normally: the condition fails (never for `while True`), then `else:` runs.
        let mut normal = if infinite { None } else { head };
        if let (Some(alt), Some(_)) = (alt, &normal) {
            if let Some(b) = alt.field("body") {
                normal = self.block(b, normal);
            }
        }
        self.join_all(std::iter::once(normal).chain(breaks.into_iter().map(Some)))
    }

    fn try_stmt(&mut self, node: Node<'_>, st: A::State) -> St<A> {
        let entry = st.clone();
        self.tries.push(Vec::new());
        let body_end = match node.field("body") {
            Some(b) => self.block(b, Some(st)),
            None => Some(st),
        };
        let raised = self.tries.pop().expect("pushed above");
        // An exception may come from anywhere in the body: handlers start from a state
        // that joins the entry, the end and every explicit raise.
        let handler_entry = self.join_all(
            std::iter::once(Some(entry))
                .chain(std::iter::once(body_end.clone()))
                .chain(raised.into_iter().map(Some)),
        );
        let mut outs: Vec<St<A>> = Vec::new();
        let mut normal = body_end;
        let mut finally = None;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "except_clause" | "except_group_clause" => {
                    let mut cur = handler_entry.clone();
                    let mut c2 = child.walk();
                    let mut block = None;
                    for part in child.named_children(&mut c2) {
                        if part.kind() == "block" {
                            block = Some(part);
                        } else if let Some(s) = cur.as_mut() {
                            self.expr(part, s, false);
                        }
                    }
                    outs.push(match block {
                        Some(b) => self.block(b, cur),
                        None => cur,
                    });
                }
                "else_clause" => {
                    if let Some(b) = child.field("body") {
                        normal = self.block(b, normal);
                    }
                }
                "finally_clause" => finally = Some(child),
                _ => {}
            }
        }
        outs.push(normal);
        let joined = self.join_all(outs);
        match finally {
            Some(f) => {
                let mut c2 = f.walk();
                let block = f.named_children(&mut c2).find(|n| n.kind() == "block");
                match block {
                    Some(b) => self.block(b, joined),
                    None => joined,
                }
            }
            None => joined,
        }
    }

    fn match_stmt(&mut self, node: Node<'_>, mut st: A::State) -> St<A> {
        if let Some(subject) = node.field("subject") {
            self.expr(subject, &mut st, false);
        }
        let mut outs = Vec::new();
        let mut exhaustive = false;
        if let Some(body) = node.field("body") {
            let mut cursor = body.walk();
            for case in body.named_children(&mut cursor) {
                if case.kind() != "case_clause" {
                    continue;
                }
                let mut c2 = case.walk();
                let is_wildcard = case.named_children(&mut c2).any(|p| {
                    p.kind() == "case_pattern"
                        && p.named_child_count() == 0
                        && p.child_count() == 1
                        && p.child(0).is_some_and(|c| c.kind() == "_")
                });
                exhaustive |= is_wildcard && case.field("guard").is_none();
                if let Some(cons) = case.field("consequence") {
                    outs.push(self.block(cons, Some(st.clone())));
                }
            }
        }
        if !exhaustive {
            outs.push(Some(st));
        }
        self.join_all(outs)
    }

    fn expr_children(&mut self, node: Node<'_>, st: &mut A::State, conditional: bool) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            self.expr(child, st, conditional);
        }
    }

    /// Evaluates an expression (or simple statement) in Python's order, reporting events.
    fn expr(&mut self, node: Node<'_>, st: &mut A::State, conditional: bool) {
        if self.depth >= MAX_DEPTH {
            self.truncated = true;
            return;
        }
        self.depth += 1;
        self.expr_inner(node, st, conditional);
        self.depth -= 1;
    }

    fn expr_inner(&mut self, node: Node<'_>, st: &mut A::State, conditional: bool) {
        match node.kind() {
            "lambda"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "comment" => {}
            "call" => {
                if let Some(f) = node.field("function") {
                    self.expr(f, st, conditional);
                }
                if let Some(args) = node.field("arguments") {
                    self.expr(args, st, conditional);
                }
                self.analysis.event(node, st, conditional);
            }
            "assignment" | "augmented_assignment" => {
                if let Some(r) = node.field("right") {
                    self.expr(r, st, conditional);
                }
                if let Some(l) = node.field("left") {
                    // Subscript and attribute targets evaluate their object first.
                    if matches!(l.kind(), "subscript" | "attribute") {
                        self.expr_children(l, st, conditional);
                    }
                }
                self.analysis.event(node, st, conditional);
            }
            "boolean_operator" => {
                if let Some(l) = node.field("left") {
                    self.expr(l, st, conditional);
                }
                if let Some(r) = node.field("right") {
                    self.expr(r, st, true);
                }
            }
            "conditional_expression" => {
                // `a if c else b`: children are a, c, b.
                let mut cursor = node.walk();
                let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                if let Some(c) = parts.get(1) {
                    self.expr(*c, st, conditional);
                }
                for i in [0, 2] {
                    if let Some(p) = parts.get(i) {
                        self.expr(*p, st, true);
                    }
                }
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                self.expr_children(node, st, true);
            }
            "comparison_operator" | "delete_statement" => {
                self.expr_children(node, st, conditional);
                self.analysis.event(node, st, conditional);
            }
            _ => self.expr_children(node, st, conditional),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    /// Records, for each call to `mark()`, whether `rot()` ran on every path before it.
    struct Must {
        src: String,
        seen: Vec<(usize, bool)>,
    }

    impl Analysis for Must {
        type State = bool;
        fn join(&self, a: &bool, b: &bool) -> bool {
            *a && *b
        }
        fn event(&mut self, node: Node<'_>, st: &mut bool, conditional: bool) {
            if node.kind() != "call" {
                return;
            }
            let f = node.field("function").unwrap();
            let name = f.utf8_text(self.src.as_bytes()).unwrap_or("").to_string();
            match name.as_str() {
                "rot" if !conditional => *st = true,
                "mark" => self.seen.push((node.start_position().row + 1, *st)),
                _ => {}
            }
        }
        fn exit(&mut self, _: Option<Node<'_>>, _: &bool) {}
    }

    fn run(src: &str) -> Vec<(usize, bool)> {
        let p = parse::parse_file(src).unwrap();
        let f = parse::function_at_row(p.root(), 0).unwrap();
        let mut a = Must {
            src: src.to_string(),
            seen: vec![],
        };
        Engine::new(&mut a).run_function(f, false);
        a.seen
    }

    #[test]
    fn branches_join_as_must() {
        let got = run("def f(c):\n    if c:\n        rot()\n    mark()\n    if c:\n        rot()\n    else:\n        rot()\n    mark()\n");
        assert_eq!(got, vec![(4, false), (9, true)]);
    }

    #[test]
    fn early_return_ends_a_path() {
        let got = run(
            "def f(c):\n    if not c:\n        return 1\n    else:\n        rot()\n    mark()\n",
        );
        assert_eq!(got, vec![(6, true)]);
    }

    #[test]
    fn raise_in_try_reaches_handlers() {
        let got = run("def f(c):\n    try:\n        if c:\n            raise E\n        rot()\n    except E:\n        mark()\n    mark()\n");
        assert_eq!(got, vec![(7, false), (8, false)]);
    }

    #[test]
    fn short_circuit_is_conditional() {
        let got = run("def f(c):\n    c and rot()\n    mark()\n");
        assert_eq!(got, vec![(3, false)]);
    }

    #[test]
    fn loops_and_while_true() {
        let got = run("def f(xs):\n    for x in xs:\n        rot()\n    mark()\n    while True:\n        rot()\n        break\n    mark()\n");
        assert_eq!(got, vec![(4, false), (8, true)]);
    }
}

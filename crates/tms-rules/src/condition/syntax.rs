//! Lexer and parser for the condition language: a small subset of Python
//! expressions (see docs/rules.md). The parser is hand-written, bounded in size
//! and depth, and never evaluates anything.

use std::fmt;

/// A syntax or type error in a condition, at a 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

pub const MAX_CONDITION_CHARS: usize = 4096;
pub const MAX_NESTING: usize = 48;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
    Op(&'static str),
    End,
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    col: usize,
}

fn lex(src: &str) -> Result<Vec<Token>, ConditionError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |col: usize, m: String| ConditionError {
        column: col + 1,
        message: m,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Name(chars[start..i].iter().collect()),
                col: start,
            });
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let tok = if text.contains('.') {
                Tok::Float(
                    text.parse()
                        .map_err(|_| err(start, format!("invalid number `{text}`")))?,
                )
            } else {
                Tok::Int(
                    text.parse()
                        .map_err(|_| err(start, format!("invalid number `{text}`")))?,
                )
            };
            out.push(Token { tok, col: start });
            continue;
        }
        if c == '\'' || c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated string".into())),
                    Some(q) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        let e = chars
                            .get(i + 1)
                            .ok_or_else(|| err(i, "unterminated string".into()))?;
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => *other,
                        });
                        i += 2;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                col: start,
            });
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op: &'static str = match two.as_str() {
            "==" => "==",
            "!=" => "!=",
            "<=" => "<=",
            ">=" => ">=",
            _ => match c {
                '<' => "<",
                '>' => ">",
                '(' => "(",
                ')' => ")",
                '[' => "[",
                ']' => "]",
                ',' => ",",
                '.' => ".",
                _ => return Err(err(start, format!("unexpected character `{c}`"))),
            },
        };
        i += op.len();
        out.push(Token {
            tok: Tok::Op(op),
            col: start,
        });
    }
    out.push(Token {
        tok: Tok::End,
        col: chars.len(),
    });
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// The syntax tree; `col` fields are 1-based character columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Lit, usize),
    Name(String, usize),
    Attr(Box<Expr>, String, usize),
    Call(Box<Expr>, Vec<Expr>, usize),
    /// `ELEM for VAR in ITER`, only as the single argument of a call.
    Generator {
        elem: Box<Expr>,
        var: String,
        iter: Box<Expr>,
        col: usize,
    },
    List(Vec<Expr>, usize),
    Not(Box<Expr>, usize),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// A comparison chain `a < b < c`, as Python reads it.
    Compare(Box<Expr>, Vec<(CmpOp, Expr, usize)>),
}

impl Expr {
    pub fn col(&self) -> usize {
        match self {
            Expr::Lit(_, c)
            | Expr::Name(_, c)
            | Expr::Attr(_, _, c)
            | Expr::Call(_, _, c)
            | Expr::List(_, c)
            | Expr::Not(_, c) => *c,
            Expr::Generator { col, .. } => *col,
            Expr::And(a, _) | Expr::Or(a, _) | Expr::Compare(a, _) => a.col(),
        }
    }
}

pub fn parse(src: &str) -> Result<Expr, ConditionError> {
    if src.chars().count() > MAX_CONDITION_CHARS {
        return Err(ConditionError {
            column: 1,
            message: format!("condition longer than {MAX_CONDITION_CHARS} characters"),
        });
    }
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
    };
    let e = p.expr()?;
    match &p.peek().tok {
        Tok::End => Ok(e),
        _ => Err(p.unexpected("the end of the condition")),
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn col(&self) -> usize {
        self.peek().col + 1
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Name(n) if n == kw)
    }

    fn is_kw_at(&self, offset: usize, kw: &str) -> bool {
        matches!(self.toks.get(self.i + offset).map(|t| &t.tok), Some(Tok::Name(n)) if n == kw)
    }

    fn unexpected(&self, expected: &str) -> ConditionError {
        let found = match &self.peek().tok {
            Tok::Name(n) => format!("`{n}`"),
            Tok::Int(i) => format!("`{i}`"),
            Tok::Float(f) => format!("`{f}`"),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Op(o) => format!("`{o}`"),
            Tok::End => "the end of the condition".into(),
        };
        ConditionError {
            column: self.col(),
            message: format!("expected {expected}, found {found}"),
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), ConditionError> {
        if self.is_op(op) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{op}`")))
        }
    }

    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ConditionError {
                column: self.col(),
                message: format!("nesting deeper than {MAX_NESTING} levels"),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ConditionError> {
        self.enter()?;
        let mut left = self.and_expr()?;
        while self.is_kw("or") {
            self.bump();
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, ConditionError> {
        let mut left = self.not_expr()?;
        while self.is_kw("and") {
            self.bump();
            let right = self.not_expr()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not_expr(&mut self) -> Result<Expr, ConditionError> {
        if self.is_kw("not") {
            let col = self.col();
            self.bump();
            self.enter()?;
            let inner = self.not_expr()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner), col));
        }
        self.comparison()
    }

    fn cmp_op(&mut self) -> Option<(CmpOp, usize)> {
        let col = self.col();
        let op = match &self.peek().tok {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op(">=") => CmpOp::Ge,
            Tok::Name(n) if n == "in" => CmpOp::In,
            Tok::Name(n) if n == "is" => {
                if self.is_kw_at(1, "not") {
                    self.bump();
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                }
            }
            Tok::Name(n) if n == "not" && self.is_kw_at(1, "in") => {
                self.bump();
                CmpOp::NotIn
            }
            _ => return None,
        };
        self.bump();
        Some((op, col))
    }

    fn comparison(&mut self) -> Result<Expr, ConditionError> {
        let first = self.postfix()?;
        let mut rest = Vec::new();
        while let Some((op, col)) = self.cmp_op() {
            rest.push((op, self.postfix()?, col));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Expr::Compare(Box::new(first), rest)
        })
    }

    fn postfix(&mut self) -> Result<Expr, ConditionError> {
        let mut e = self.atom()?;
        loop {
            if self.is_op(".") {
                self.bump();
                let col = self.col();
                let start = self.i;
                match self.bump().tok {
                    Tok::Name(n) => e = Expr::Attr(Box::new(e), n, col),
                    _ => {
                        self.i = start;
                        return Err(self.unexpected("an attribute name after `.`"));
                    }
                }
            } else if self.is_op("(") {
                let col = self.col();
                self.bump();
                let args = self.call_args()?;
                e = Expr::Call(Box::new(e), args, col);
            } else {
                return Ok(e);
            }
        }
    }

    fn call_args(&mut self) -> Result<Vec<Expr>, ConditionError> {
        let mut args = Vec::new();
        if self.is_op(")") {
            self.bump();
            return Ok(args);
        }
        let first = self.expr()?;
        if self.is_kw("for") {
            let col = first.col();
            self.bump();
            let start = self.i;
            let var = match self.bump().tok {
                Tok::Name(n) if !is_keyword(&n) => n,
                _ => {
                    self.i = start;
                    return Err(self.unexpected("a variable name after `for`"));
                }
            };
            if !self.is_kw("in") {
                return Err(self.unexpected("`in`"));
            }
            self.bump();
            let iter = self.or_operand()?;
            self.expect_op(")")?;
            return Ok(vec![Expr::Generator {
                elem: Box::new(first),
                var,
                iter: Box::new(iter),
                col,
            }]);
        }
        args.push(first);
        while self.is_op(",") {
            self.bump();
            if self.is_op(")") {
                break;
            }
            args.push(self.expr()?);
        }
        self.expect_op(")")?;
        Ok(args)
    }

    /// The iterable of a generator: anything up to the closing parenthesis, without a bare `if`.
    fn or_operand(&mut self) -> Result<Expr, ConditionError> {
        if self.is_kw("if") {
            return Err(self.unexpected("an iterable"));
        }
        let e = self.expr()?;
        if self.is_kw("if") {
            return Err(ConditionError { column: self.col(), message: "filters (`if`) in generators are not supported; put the test inside: `any(x.a and x.b for x in ...)`".into() });
        }
        Ok(e)
    }

    fn atom(&mut self) -> Result<Expr, ConditionError> {
        let col = self.col();
        let start = self.i;
        let t = self.bump();
        match t.tok {
            Tok::Int(i) => Ok(Expr::Lit(Lit::Int(i), col)),
            Tok::Float(f) => Ok(Expr::Lit(Lit::Float(f), col)),
            Tok::Str(s) => Ok(Expr::Lit(Lit::Str(s), col)),
            Tok::Name(n) => match n.as_str() {
                "True" => Ok(Expr::Lit(Lit::Bool(true), col)),
                "False" => Ok(Expr::Lit(Lit::Bool(false), col)),
                "None" => Ok(Expr::Lit(Lit::None, col)),
                kw if is_keyword(kw) => {
                    self.i = start;
                    Err(self.unexpected("a value"))
                }
                _ => Ok(Expr::Name(n, col)),
            },
            Tok::Op("(") => {
                self.enter()?;
                if self.is_op(")") {
                    self.bump();
                    self.depth -= 1;
                    return Ok(Expr::List(Vec::new(), col));
                }
                let first = self.expr()?;
                let e = if self.is_op(",") {
                    let mut items = vec![first];
                    while self.is_op(",") {
                        self.bump();
                        if self.is_op(")") {
                            break;
                        }
                        items.push(self.expr()?);
                    }
                    Expr::List(items, col)
                } else {
                    first
                };
                self.expect_op(")")?;
                self.depth -= 1;
                Ok(e)
            }
            Tok::Op("[") => {
                self.enter()?;
                let mut items = Vec::new();
                while !self.is_op("]") {
                    items.push(self.expr()?);
                    if !self.is_op(",") {
                        break;
                    }
                    self.bump();
                }
                self.expect_op("]")?;
                self.depth -= 1;
                Ok(Expr::List(items, col))
            }
            _ => {
                self.i = start;
                Err(self.unexpected("a value"))
            }
        }
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "and" | "or" | "not" | "is" | "in" | "for" | "if" | "else" | "lambda" | "import"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pytm_shapes() {
        for c in [
            "target.controls.isEncrypted is False and target.protocol == 'HTTP'",
            "not target.controls.isEncrypted or target.tlsVersion < target.sink.minTLSVersion",
            "any(d.credentialsLife in (Lifetime.UNKNOWN, Lifetime.LONG) for d in target.data)",
            "target.checkTLSVersion(target.inputs) and (not target.a or not target.b)",
            "x is not None and 'a' not in y",
            "1 < 2 <= 3",
        ] {
            parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        }
    }

    #[test]
    fn errors_point_at_columns() {
        let e = parse("target.a and and").unwrap_err();
        assert_eq!(e.column, 14, "{e}");
        let e = parse("target.a ==").unwrap_err();
        assert_eq!(e.column, 12, "{e}");
        assert!(parse("target.a; import os").is_err());
        assert!(
            parse("__import__('os')").is_ok(),
            "a name is only a name; the checker rejects it"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
        let nots = format!("{}True", "not ".repeat(500));
        assert!(parse(&nots).is_err());
    }
}

"""The emulator's operation table: `enum Op` for every operation of both services, and a
`Handlers` trait with one method per operation, so the compiler checks that the emulator
handles each one (removing a handler is a compile error)."""

from __future__ import annotations

from emit_rust import HEADER
from model import Service, py_name


def emit_ops(services: list[Service]) -> str:
    ops = sorted((name, svc) for svc in services for name in svc.operations)
    lines = [
        HEADER,
        "//! Every operation of the EKS and EKS Auth models, and the dispatch over them.",
        "",
        "use crate::error::AwsError;",
        "use serde_json::Value;",
        "",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]",
        "pub enum Op {",
        *[f"    {name}," for name, _ in ops],
        "}",
        "",
        "impl Op {",
        f"    pub const ALL: [Op; {len(ops)}] = [",
        *[f"        Op::{name}," for name, _ in ops],
        "    ];",
        "",
        '    /// The model\'s operation name (`"DescribeCluster"`).',
        "    pub fn name(self) -> &'static str {",
        "        match self {",
        *[f'            Op::{name} => "{name}",' for name, _ in ops],
        "        }",
        "    }",
        "",
        "    pub fn from_name(name: &str) -> Option<Op> {",
        "        Some(match name {",
        *[f'            "{name}" => Op::{name},' for name, _ in ops],
        "            _ => return None,",
        "        })",
        "    }",
        "",
        "    /// The service of the operation (`eks` or `eks-auth`).",
        "    pub fn service(self) -> &'static str {",
        "        match self {",
        *[f'            Op::{name} => "{svc.key}",' for name, svc in ops],
        "        }",
        "    }",
        "",
        "    /// Operations that change nothing (the model's GET operations).",
        "    pub fn read_only(self) -> bool {",
        "        matches!(",
        "            self,",
        "            "
        + "\n                | ".join(f"Op::{name}" for name, svc in ops if svc.op(name)["http"]["method"] == "GET"),
        "        )",
        "    }",
        "}",
        "",
        "/// One method per operation: what the emulator does for it.",
        "pub trait Handlers {",
        *[f"    fn {py_name(name)}(&mut self, input: &Value) -> Result<Value, AwsError>;" for name, _ in ops],
        "}",
        "",
        "pub fn dispatch<H: Handlers + ?Sized>(handlers: &mut H, op: Op, input: &Value) -> Result<Value, AwsError> {",
        "    match op {",
        *[f"        Op::{name} => handlers.{py_name(name)}(input)," for name, _ in ops],
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)

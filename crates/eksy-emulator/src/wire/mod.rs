//! The REST-JSON wire layer, generic over the model: reading an operation's input from the
//! URI labels, query string, headers and JSON body; validating it against the input shape;
//! and laying an output value out as status, headers and JSON body.

mod read;
mod request;
mod shapes;
#[cfg(test)]
mod tests;
mod validate;
mod write;

pub use read::read_input;
pub use request::{parse_query, WireRequest};
pub use validate::validate_input;
pub use write::write_output;

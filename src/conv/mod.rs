//! Conversions between Python values and the AWS SDK's types, driven by generated per-shape code,
//! split by direction: `from_py` and `fields` (inputs), `to_py` and `models` (outputs).
//!
//! Inputs are validated while they are converted, so a bad parameter is reported with its full
//! path (`scaling_config.min_size`) before anything is sent.

mod datetime;
mod enums;
mod fields;
mod from_py;
mod models;
mod path;
mod to_py;

pub(crate) use enums::enums;
pub use fields::{uri_encoded_len, Fields, QueryValue};
pub(crate) use from_py::infallible_build;
pub use from_py::{Built, FromPy};
pub use models::ModelRegistry;
pub use path::{ConvError, ConvResult, Path, Rule};
pub use to_py::ToPy;

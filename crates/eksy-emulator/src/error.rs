//! AWS-style errors: a code (sent as `x-amzn-errortype`), an HTTP status, a message and the
//! modeled fields of the error shape (`clusterName`, `nodegroupName`, ...).

use crate::model::model;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct AwsError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Modeled members of the error body besides `message` (a Vec keeps the error small).
    pub fields: Vec<(String, Value)>,
}

/// Statuses of errors that the model does not declare but the service front end produces.
fn unmodeled_status(code: &str) -> u16 {
    match code {
        "MissingAuthenticationTokenException"
        | "IncompleteSignatureException"
        | "InvalidSignatureException"
        | "UnrecognizedClientException"
        | "ExpiredTokenException" => 403,
        "UnknownOperationException" => 404,
        "SerializationException" | "ValidationException" => 400,
        "NotImplementedException" => 501,
        "PayloadTooLargeException" => 413,
        _ => 500,
    }
}

impl AwsError {
    /// An error whose status comes from the model's error shape when it is modeled.
    pub fn new(code: &str, message: impl Into<String>) -> AwsError {
        AwsError {
            status: model()
                .error_status(code)
                .unwrap_or_else(|| unmodeled_status(code)),
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn with_status(mut self, status: u16) -> AwsError {
        self.status = status;
        self
    }

    /// Sets a field when the error shape models it (so bodies never carry stray members).
    pub fn field(mut self, name: &str, value: impl Into<String>) -> AwsError {
        if model().error_has_field(&self.code, name) {
            self.fields.retain(|(k, _)| k != name);
            self.fields
                .push((name.to_string(), Value::String(value.into())));
        }
        self
    }

    pub fn invalid_parameter(message: impl Into<String>) -> AwsError {
        AwsError::new("InvalidParameterException", message)
    }

    pub fn not_found(message: impl Into<String>) -> AwsError {
        AwsError::new("ResourceNotFoundException", message)
    }

    pub fn in_use(message: impl Into<String>) -> AwsError {
        AwsError::new("ResourceInUseException", message)
    }

    pub fn invalid_request(message: impl Into<String>) -> AwsError {
        AwsError::new("InvalidRequestException", message)
    }

    pub fn server(message: impl Into<String>) -> AwsError {
        AwsError::new("ServerException", message)
    }

    /// The JSON body AWS sends: `message` plus the modeled fields.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("message".into(), Value::String(self.message.clone()));
        for (k, v) in &self.fields {
            if k != "message" {
                body.insert(k.clone(), v.clone());
            }
        }
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_fields_follow_the_model() {
        let e = AwsError::not_found("x")
            .field("clusterName", "c")
            .field("bogus", "b");
        assert_eq!(e.status, 404);
        assert_eq!(
            e.body(),
            serde_json::json!({"message": "x", "clusterName": "c"})
        );
        assert_eq!(AwsError::in_use("x").status, 409);
        assert_eq!(AwsError::new("NotImplementedException", "x").status, 501);
        assert_eq!(AwsError::new("ThrottlingException", "x").status, 429);
    }
}

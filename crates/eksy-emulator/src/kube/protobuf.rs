//! Reading the Kubernetes protobuf encoding of the request bodies kubectl sends that way
//! (it posts built-in types as `application/vnd.kubernetes.protobuf` and has no JSON
//! fallback): namespaces, ConfigMaps, RBAC objects and the self reviews, into their JSON
//! form. Answers stay JSON, which kubectl accepts. Field numbers are those of
//! k8s.io/api's generated.proto files.

use serde_json::{json, Map, Value};

/// `k8s\0` + a `runtime.Unknown` envelope.
const MAGIC: &[u8] = b"k8s\x00";

/// How to read one message's fields.
#[derive(Clone, Copy)]
enum Field {
    Str(&'static str),
    Bool(&'static str),
    Strings(&'static str),
    StringMap(&'static str),
    /// A map of strings to bytes (ConfigMap binaryData), kept as base64 like JSON does.
    BytesMap(&'static str),
    Message(&'static str, &'static [(u64, Field)]),
    Messages(&'static str, &'static [(u64, Field)]),
}

const OBJECT_META: &[(u64, Field)] = &[
    (1, Field::Str("name")),
    (2, Field::Str("generateName")),
    (3, Field::Str("namespace")),
    (6, Field::Str("resourceVersion")),
    (11, Field::StringMap("labels")),
    (12, Field::StringMap("annotations")),
    (14, Field::Strings("finalizers")),
];
const NAMESPACE: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (
        2,
        Field::Message("spec", &[(1, Field::Strings("finalizers"))]),
    ),
];
const CONFIG_MAP: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (2, Field::StringMap("data")),
    (3, Field::BytesMap("binaryData")),
    (4, Field::Bool("immutable")),
];
const POLICY_RULE: &[(u64, Field)] = &[
    (1, Field::Strings("verbs")),
    (2, Field::Strings("apiGroups")),
    (3, Field::Strings("resources")),
    (4, Field::Strings("resourceNames")),
    (5, Field::Strings("nonResourceURLs")),
];
const ROLE: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (2, Field::Messages("rules", POLICY_RULE)),
];
const BINDING: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (
        2,
        Field::Messages(
            "subjects",
            &[
                (1, Field::Str("kind")),
                (2, Field::Str("apiGroup")),
                (3, Field::Str("name")),
                (4, Field::Str("namespace")),
            ],
        ),
    ),
    (
        3,
        Field::Message(
            "roleRef",
            &[
                (1, Field::Str("apiGroup")),
                (2, Field::Str("kind")),
                (3, Field::Str("name")),
            ],
        ),
    ),
];
const ACCESS_REVIEW: &[(u64, Field)] = &[
    (1, Field::Message("metadata", OBJECT_META)),
    (
        2,
        Field::Message(
            "spec",
            &[
                (
                    1,
                    Field::Message(
                        "resourceAttributes",
                        &[
                            (1, Field::Str("namespace")),
                            (2, Field::Str("verb")),
                            (3, Field::Str("group")),
                            (4, Field::Str("version")),
                            (5, Field::Str("resource")),
                            (6, Field::Str("subresource")),
                            (7, Field::Str("name")),
                        ],
                    ),
                ),
                (
                    2,
                    Field::Message(
                        "nonResourceAttributes",
                        &[(1, Field::Str("path")), (2, Field::Str("verb"))],
                    ),
                ),
            ],
        ),
    ),
];
const SUBJECT_REVIEW: &[(u64, Field)] = &[(1, Field::Message("metadata", OBJECT_META))];

fn schema(kind: &str) -> Option<&'static [(u64, Field)]> {
    Some(match kind {
        "Namespace" => NAMESPACE,
        "ConfigMap" => CONFIG_MAP,
        "Role" | "ClusterRole" => ROLE,
        "RoleBinding" | "ClusterRoleBinding" => BINDING,
        "SelfSubjectAccessReview" => ACCESS_REVIEW,
        "SelfSubjectReview" => SUBJECT_REVIEW,
        _ => return None,
    })
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.data.get(self.at)?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.at.checked_add(len)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    /// The next `(field number, wire type, value)`; length-delimited values as bytes.
    fn field(&mut self) -> Option<Option<(u64, Raw<'a>)>> {
        if self.at >= self.data.len() {
            return Some(None);
        }
        let tag = self.varint()?;
        let raw = match tag & 7 {
            0 => Raw::Varint(self.varint()?),
            2 => Raw::Bytes(self.bytes()?),
            1 => {
                self.at = self.at.checked_add(8)?;
                Raw::Skipped
            }
            5 => {
                self.at = self.at.checked_add(4)?;
                Raw::Skipped
            }
            _ => return None,
        };
        Some(Some((tag >> 3, raw)))
    }
}

enum Raw<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Skipped,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn map_entry(bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    let mut reader = Reader { data: bytes, at: 0 };
    let (mut key, mut value) = (String::new(), Vec::new());
    while let Some((number, raw)) = reader.field()? {
        match (number, raw) {
            (1, Raw::Bytes(b)) => key = text(b),
            (2, Raw::Bytes(b)) => value = b.to_vec(),
            _ => {}
        }
    }
    Some((key, value))
}

/// Nesting bound: the schemas above are at most four levels deep.
const MAX_DEPTH: usize = 8;

fn message(bytes: &[u8], fields: &[(u64, Field)], depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut out = Map::new();
    let mut reader = Reader { data: bytes, at: 0 };
    while let Some((number, raw)) = reader.field()? {
        let Some((_, field)) = fields.iter().find(|(n, _)| *n == number) else {
            continue;
        };
        match (*field, raw) {
            (Field::Str(name), Raw::Bytes(b)) => {
                out.insert(name.into(), json!(text(b)));
            }
            (Field::Bool(name), Raw::Varint(v)) => {
                out.insert(name.into(), json!(v != 0));
            }
            (Field::Strings(name), Raw::Bytes(b)) => {
                if let Some(list) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    list.push(json!(text(b)));
                }
            }
            (Field::StringMap(name), Raw::Bytes(b)) => {
                let (k, v) = map_entry(b)?;
                if let Some(map) = out.entry(name).or_insert_with(|| json!({})).as_object_mut() {
                    map.insert(k, json!(text(&v)));
                }
            }
            (Field::BytesMap(name), Raw::Bytes(b)) => {
                let (k, v) = map_entry(b)?;
                if let Some(map) = out.entry(name).or_insert_with(|| json!({})).as_object_mut() {
                    map.insert(k, json!(crate::util::base64_encode(&v)));
                }
            }
            (Field::Message(name, inner), Raw::Bytes(b)) => {
                out.insert(name.into(), message(b, inner, depth + 1)?);
            }
            (Field::Messages(name, inner), Raw::Bytes(b)) => {
                let item = message(b, inner, depth + 1)?;
                if let Some(list) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    list.push(item);
                }
            }
            _ => {}
        }
    }
    Some(Value::Object(out))
}

/// The JSON form of a protobuf-encoded object, or a reason it cannot be read.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the protobuf body lacks the k8s\\0 prefix")?;
    let mut reader = Reader {
        data: envelope,
        at: 0,
    };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    while let Some((number, value)) = reader.field().ok_or("malformed protobuf envelope")? {
        match (number, value) {
            (1, Raw::Bytes(type_meta)) => {
                let meta = message(
                    type_meta,
                    &[(1, Field::Str("apiVersion")), (2, Field::Str("kind"))],
                    0,
                )
                .ok_or("malformed protobuf type meta")?;
                api_version = meta["apiVersion"].as_str().unwrap_or("").to_string();
                kind = meta["kind"].as_str().unwrap_or("").to_string();
            }
            (2, Raw::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let fields =
        schema(&kind).ok_or_else(|| format!("the eksy emulator reads {kind:?} only as JSON"))?;
    let mut object = message(raw, fields, 0).ok_or("malformed protobuf object")?;
    if let Value::Object(map) = &mut object {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn reads_a_namespace_as_kubectl_sends_it() {
        let meta = field(1, b"team-a");
        let object = field(1, &meta);
        let type_meta = [field(1, b"v1"), field(2, b"Namespace")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &object)].concat();
        let decoded = decode(&body).unwrap();
        assert_eq!(decoded["metadata"]["name"], "team-a");
        assert_eq!(decoded["kind"], "Namespace");
        assert!(decode(b"k8s\x00\xff").is_err());
        assert!(decode(b"{}").is_err());
    }
}

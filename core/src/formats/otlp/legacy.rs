//! OTLP profiles v1.8 and v1.9 message types, declared by hand from the field tables of the
//! OTLP changelog (no published crate carries them), and their conversion to the v1.10 types.
//!
//! Only `Sample` (v1.8 and v1.9) and `Profile` (v1.8) differ on the wire from v1.10; the
//! dictionary, locations, functions and attributes decode with the v1.10 types unchanged
//! (fields that v1.10 added are simply absent).
//!
//! [`ProfilesDictionaryHead`] is the dictionary without its stack table, which the binary
//! reader walks off the wire itself ([`super::hot`]) rather than build a `Vec` per stack.

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::profiles::v1development as v10;
use opentelemetry_proto::tonic::resource::v1::Resource;

/// `Sample` in v1.8 and v1.9: `values` = 2, `attribute_indices` = 3, `link_index` = 4.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SampleV19 {
    /// Index into the stack table.
    #[prost(int32, tag = "1")]
    pub stack_index: i32,
    /// Values.
    #[prost(int64, repeated, tag = "2")]
    pub values: Vec<i64>,
    /// Indices into the attribute table.
    #[prost(int32, repeated, tag = "3")]
    pub attribute_indices: Vec<i32>,
    /// Index into the link table.
    #[prost(int32, tag = "4")]
    pub link_index: i32,
    /// Timestamps.
    #[prost(fixed64, repeated, tag = "5")]
    pub timestamps_unix_nano: Vec<u64>,
}

impl From<SampleV19> for v10::Sample {
    fn from(s: SampleV19) -> Self {
        v10::Sample {
            stack_index: s.stack_index,
            attribute_indices: s.attribute_indices,
            link_index: s.link_index,
            values: s.values,
            timestamps_unix_nano: s.timestamps_unix_nano,
        }
    }
}

/// `Profile` in v1.9: numbered as in v1.10, but with v1.9 samples.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProfileV19 {
    /// Field 1.
    #[prost(message, optional, tag = "1")]
    pub sample_type: Option<v10::ValueType>,
    /// Field 2.
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<SampleV19>,
    /// Field 3.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// Field 4.
    #[prost(uint64, tag = "4")]
    pub duration_nano: u64,
    /// Field 5.
    #[prost(message, optional, tag = "5")]
    pub period_type: Option<v10::ValueType>,
    /// Field 6.
    #[prost(int64, tag = "6")]
    pub period: i64,
    /// Field 7.
    #[prost(bytes = "vec", tag = "7")]
    pub profile_id: Vec<u8>,
    /// Field 8.
    #[prost(uint32, tag = "8")]
    pub dropped_attributes_count: u32,
    /// Field 9.
    #[prost(string, tag = "9")]
    pub original_payload_format: String,
    /// Field 10.
    #[prost(bytes = "vec", tag = "10")]
    pub original_payload: Vec<u8>,
    /// Field 11.
    #[prost(int32, repeated, tag = "11")]
    pub attribute_indices: Vec<i32>,
}

/// `Profile` in v1.8: `comment_strindices` = 7 shifts the later fields up by one.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProfileV18 {
    /// Field 1.
    #[prost(message, optional, tag = "1")]
    pub sample_type: Option<v10::ValueType>,
    /// Field 2 (`sample` in v1.8).
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<SampleV19>,
    /// Field 3.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// Field 4.
    #[prost(uint64, tag = "4")]
    pub duration_nano: u64,
    /// Field 5.
    #[prost(message, optional, tag = "5")]
    pub period_type: Option<v10::ValueType>,
    /// Field 6.
    #[prost(int64, tag = "6")]
    pub period: i64,
    /// Field 7, dropped in v1.9.
    #[prost(int32, repeated, tag = "7")]
    pub comment_strindices: Vec<i32>,
    /// Field 8.
    #[prost(bytes = "vec", tag = "8")]
    pub profile_id: Vec<u8>,
    /// Field 9.
    #[prost(uint32, tag = "9")]
    pub dropped_attributes_count: u32,
    /// Field 10.
    #[prost(string, tag = "10")]
    pub original_payload_format: String,
    /// Field 11.
    #[prost(bytes = "vec", tag = "11")]
    pub original_payload: Vec<u8>,
    /// Field 12.
    #[prost(int32, repeated, tag = "12")]
    pub attribute_indices: Vec<i32>,
}

/// `ProfilesDictionary` (the same in every layout with one) without its stack table.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProfilesDictionaryHead {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub mapping_table: Vec<v10::Mapping>,
    /// Field 2.
    #[prost(message, repeated, tag = "2")]
    pub location_table: Vec<v10::Location>,
    /// Field 3.
    #[prost(message, repeated, tag = "3")]
    pub function_table: Vec<v10::Function>,
    /// Field 4.
    #[prost(message, repeated, tag = "4")]
    pub link_table: Vec<v10::Link>,
    /// Field 5.
    #[prost(string, repeated, tag = "5")]
    pub string_table: Vec<String>,
    /// Field 6.
    #[prost(message, repeated, tag = "6")]
    pub attribute_table: Vec<v10::KeyValueAndUnit>,
}

impl From<ProfilesDictionaryHead> for v10::ProfilesDictionary {
    fn from(d: ProfilesDictionaryHead) -> Self {
        v10::ProfilesDictionary {
            mapping_table: d.mapping_table,
            location_table: d.location_table,
            function_table: d.function_table,
            link_table: d.link_table,
            string_table: d.string_table,
            attribute_table: d.attribute_table,
            stack_table: Vec::new(),
        }
    }
}

/// Both legacy profiles convert the same way; only their wire numbering differed.
macro_rules! profile_into_v10 {
    ($legacy:ty) => {
        impl From<$legacy> for v10::Profile {
            fn from(p: $legacy) -> Self {
                v10::Profile {
                    sample_type: p.sample_type,
                    samples: p.samples.into_iter().map(Into::into).collect(),
                    time_unix_nano: p.time_unix_nano,
                    duration_nano: p.duration_nano,
                    period_type: p.period_type,
                    period: p.period,
                    profile_id: p.profile_id,
                    dropped_attributes_count: p.dropped_attributes_count,
                    original_payload_format: p.original_payload_format,
                    original_payload: p.original_payload,
                    attribute_indices: p.attribute_indices,
                }
            }
        }
    };
}
profile_into_v10!(ProfileV19);
profile_into_v10!(ProfileV18);

/// The container messages are the same in every layout but for the profile type they hold.
macro_rules! containers {
    ($data:ident, $resource:ident, $scope:ident, $profile:ty) => {
        /// `ProfilesData` / `ExportProfilesServiceRequest` holding legacy profiles.
        #[derive(Clone, PartialEq, prost::Message)]
        pub struct $data {
            /// Field 1.
            #[prost(message, repeated, tag = "1")]
            pub resource_profiles: Vec<$resource>,
            /// Field 2.
            #[prost(message, optional, tag = "2")]
            pub dictionary: Option<v10::ProfilesDictionary>,
        }

        /// `ResourceProfiles` holding legacy profiles.
        #[derive(Clone, PartialEq, prost::Message)]
        pub struct $resource {
            /// Field 1.
            #[prost(message, optional, tag = "1")]
            pub resource: Option<Resource>,
            /// Field 2.
            #[prost(message, repeated, tag = "2")]
            pub scope_profiles: Vec<$scope>,
            /// Field 3.
            #[prost(string, tag = "3")]
            pub schema_url: String,
        }

        /// `ScopeProfiles` holding legacy profiles.
        #[derive(Clone, PartialEq, prost::Message)]
        pub struct $scope {
            /// Field 1.
            #[prost(message, optional, tag = "1")]
            pub scope: Option<InstrumentationScope>,
            /// Field 2.
            #[prost(message, repeated, tag = "2")]
            pub profiles: Vec<$profile>,
            /// Field 3.
            #[prost(string, tag = "3")]
            pub schema_url: String,
        }

        impl From<$resource> for v10::ResourceProfiles {
            fn from(r: $resource) -> Self {
                v10::ResourceProfiles {
                    resource: r.resource,
                    schema_url: r.schema_url,
                    scope_profiles: r
                        .scope_profiles
                        .into_iter()
                        .map(|s| v10::ScopeProfiles {
                            scope: s.scope,
                            schema_url: s.schema_url,
                            profiles: s.profiles.into_iter().map(Into::into).collect(),
                        })
                        .collect(),
                }
            }
        }

        impl From<$data> for v10::ProfilesData {
            fn from(d: $data) -> Self {
                v10::ProfilesData {
                    dictionary: d.dictionary,
                    resource_profiles: d.resource_profiles.into_iter().map(Into::into).collect(),
                }
            }
        }
    };
}
containers!(
    ProfilesDataV19,
    ResourceProfilesV19,
    ScopeProfilesV19,
    ProfileV19
);
containers!(
    ProfilesDataV18,
    ResourceProfilesV18,
    ScopeProfilesV18,
    ProfileV18
);

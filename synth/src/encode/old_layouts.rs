//! The v1.9 and v1.8 wire layouts: the same data in `spanflame_core`'s legacy message types.

use opentelemetry_proto::tonic::profiles::v1development::{ProfilesData, Sample};

use spanflame_core::formats::otlp::legacy;

pub(crate) fn to_legacy_samples(samples: Vec<Sample>) -> Vec<legacy::SampleV19> {
    samples
        .into_iter()
        .map(|s| legacy::SampleV19 {
            stack_index: s.stack_index,
            values: s.values,
            attribute_indices: s.attribute_indices,
            link_index: s.link_index,
            timestamps_unix_nano: s.timestamps_unix_nano,
        })
        .collect()
}

pub(crate) fn to_legacy_v1_9(data: ProfilesData) -> legacy::ProfilesDataV19 {
    legacy::ProfilesDataV19 {
        dictionary: data.dictionary,
        resource_profiles: data
            .resource_profiles
            .into_iter()
            .map(|rp| legacy::ResourceProfilesV19 {
                resource: rp.resource,
                schema_url: rp.schema_url,
                scope_profiles: rp
                    .scope_profiles
                    .into_iter()
                    .map(|sp| legacy::ScopeProfilesV19 {
                        scope: sp.scope,
                        schema_url: sp.schema_url,
                        profiles: sp
                            .profiles
                            .into_iter()
                            .map(|p| legacy::ProfileV19 {
                                sample_type: p.sample_type,
                                samples: to_legacy_samples(p.samples),
                                time_unix_nano: p.time_unix_nano,
                                duration_nano: p.duration_nano,
                                period_type: p.period_type,
                                period: p.period,
                                profile_id: p.profile_id,
                                dropped_attributes_count: p.dropped_attributes_count,
                                original_payload_format: p.original_payload_format,
                                original_payload: p.original_payload,
                                attribute_indices: p.attribute_indices,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub(crate) fn to_legacy_v1_8(data: ProfilesData) -> legacy::ProfilesDataV18 {
    legacy::ProfilesDataV18 {
        dictionary: data.dictionary,
        resource_profiles: data
            .resource_profiles
            .into_iter()
            .map(|rp| legacy::ResourceProfilesV18 {
                resource: rp.resource,
                schema_url: rp.schema_url,
                scope_profiles: rp
                    .scope_profiles
                    .into_iter()
                    .map(|sp| legacy::ScopeProfilesV18 {
                        scope: sp.scope,
                        schema_url: sp.schema_url,
                        profiles: sp
                            .profiles
                            .into_iter()
                            .map(|p| legacy::ProfileV18 {
                                sample_type: p.sample_type,
                                samples: to_legacy_samples(p.samples),
                                time_unix_nano: p.time_unix_nano,
                                duration_nano: p.duration_nano,
                                period_type: p.period_type,
                                period: p.period,
                                comment_strindices: Vec::new(),
                                profile_id: p.profile_id,
                                dropped_attributes_count: p.dropped_attributes_count,
                                original_payload_format: p.original_payload_format,
                                original_payload: p.original_payload,
                                attribute_indices: p.attribute_indices,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

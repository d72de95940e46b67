//! A binary OTLP profiles message read a top-level field at a time (as the app's decode
//! worker reads a big file from its Blob) gives what reading it whole gives.

mod common;

use std::borrow::Cow;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use common::fixture;
use spanflame_core::formats::otlp::{TopField, TopLevel};
use spanflame_core::formats::{Loaded, load, load_otlp_profiles_from};
use spanflame_core::{Error, Limits};

/// The message as a file that is read a piece at a time: its top level found by reading
/// only each field's header, each payload copied out when asked for, after a wait (as the
/// app's reads from a Blob stream wait).
struct ByField {
    file: Vec<u8>,
    fields: Vec<TopField>,
    reads: usize,
}

impl ByField {
    fn open(file: Vec<u8>) -> ByField {
        let mut fields = Vec::new();
        let mut at = 0;
        while at < file.len() {
            let head = &file[at..file.len().min(at + TopField::MAX_HEADER)];
            let field = TopField::read_header(head, at).expect("a length-delimited field");
            at = field.start + field.len;
            fields.push(field);
        }
        assert_eq!(at, file.len(), "the fields tile the file");
        ByField {
            file,
            fields,
            reads: 0,
        }
    }
}

impl TopLevel for ByField {
    fn fields(&self) -> &[TopField] {
        &self.fields
    }

    fn error(&self) -> Option<(usize, &'static str)> {
        None
    }

    async fn payload(&mut self, f: &TopField) -> Result<Cow<'_, [u8]>, Error> {
        self.reads += 1;
        WaitOnce(false).await;
        Ok(Cow::Owned(self.file[f.start..f.start + f.len].to_vec()))
    }
}

/// Pending at its first poll, ready at the next.
struct WaitOnce(bool);

impl Future for WaitOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Poll `future` until it is done, counting the times it waited.
fn run<T>(future: impl Future<Output = T>, waits: &mut usize) -> T {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => *waits += 1,
        }
    }
}

#[test]
fn field_by_field_reads_as_the_whole_file_does() {
    for name in [
        "otlp/synthetic-v1_10/profiles.binpb",
        "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb",
        "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb",
    ] {
        let bytes = fixture(name);
        let Ok(Loaded::Profiles(whole)) = load(&bytes, &Limits::default()) else {
            panic!("{name} is a profile");
        };
        let mut message = ByField::open(bytes);
        assert!(
            message.fields.iter().any(|f| f.number == 2),
            "{name}: a dictionary"
        );
        let mut waits = 0;
        let Ok(Loaded::Profiles(by_field)) = run(
            load_otlp_profiles_from(&mut message, &Limits::default()),
            &mut waits,
        ) else {
            panic!("{name} reads field by field");
        };
        assert_eq!(by_field.samples, whole.samples, "{name}");
        assert_eq!(by_field.stacks, whole.stacks, "{name}");
        assert_eq!(by_field.profiles, whole.profiles, "{name}");
        assert_eq!(by_field.layout, whole.layout, "{name}");
        let filter = Default::default();
        assert_eq!(by_field.folded(&filter), whole.folded(&filter), "{name}");
        // Each field is read once to tell the layout and once to decode it, and every read
        // waited.
        assert_eq!(message.reads, 2 * message.fields.len(), "{name}");
        assert_eq!(waits, message.reads, "{name}");
    }
}

#[test]
fn a_damaged_resource_is_located_in_the_file() {
    let mut bytes = fixture("otlp/synthetic-v1_10/profiles.binpb");
    let whole_error = {
        // Break the first ResourceProfiles' payload: a tag of field 0 is never valid.
        let first = ByField::open(bytes.clone()).fields[0];
        assert_eq!(first.number, 1);
        bytes[first.start] = 0;
        load(&bytes, &Limits::default()).expect_err("a broken resource")
    };
    let by_field = run(
        load_otlp_profiles_from(&mut ByField::open(bytes), &Limits::default()),
        &mut 0,
    )
    .expect_err("a broken resource");
    assert_eq!(by_field.to_string(), whole_error.to_string());
}

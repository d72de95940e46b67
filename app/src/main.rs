//! Entry point: mounts [`spanflame_app::App`] on the page body.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(spanflame_app::App);
}

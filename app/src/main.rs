//! Entry point: mounts [`spanflame_app::App`] on the page body. The same module also runs in
//! the decode worker ([`spanflame_app::decoder`]), where there is no page to mount on.

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_none() {
        return;
    }
    leptos::mount::mount_to_body(spanflame_app::App);
}

//! The code catalog: the fixed frames of each runtime's stacks (thread starts, framework
//! dispatch, tails per category, background threads).
//!
//! Frame specs are `"<kind>:<name>"`, kind j (jvm), p (cpython), n (native, "lib!symbol"),
//! g (Go, in the service binary), k (kernel), u (an unsymbolised frame in "lib"). A leading
//! '+' marks a frame inlined into the one before it.

mod go;
mod jvm;
mod python;

use crate::catalog::go::go_catalog;
use crate::catalog::jvm::jvm_catalog;
use crate::catalog::python::python_catalog;
use crate::rng::Rng;
use crate::services::Runtime;

pub(crate) const K_POLL: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_poll",
    "k:do_sys_poll",
    "k:schedule_hrtimeout_range",
    "k:schedule",
    "k:__schedule",
];
pub(crate) const K_FUTEX: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_futex",
    "k:do_futex",
    "k:futex_wait",
    "k:futex_wait_queue",
    "k:schedule",
    "k:__schedule",
];
pub(crate) const K_EPOLL: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_epoll_wait",
    "k:do_epoll_wait",
    "k:ep_poll",
    "k:schedule_hrtimeout_range",
    "k:schedule",
];
pub(crate) const K_READ: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_read",
    "k:ksys_read",
    "k:vfs_read",
    "k:sock_read_iter",
    "k:sock_recvmsg",
    "k:tcp_recvmsg",
    "k:tcp_recvmsg_locked",
    "k:skb_copy_datagram_iter",
];
pub(crate) const K_SEND: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_sendto",
    "k:__sys_sendto",
    "k:tcp_sendmsg",
    "k:tcp_sendmsg_locked",
    "k:tcp_push",
    "k:__tcp_push_pending_frames",
    "k:tcp_write_xmit",
    "k:__tcp_transmit_skb",
];
pub(crate) const K_SLEEP: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_clock_nanosleep",
    "k:hrtimer_nanosleep",
    "k:do_nanosleep",
    "k:schedule",
];

pub(crate) const JVM_THREAD: &[&str] = &[
    "n:libc.so.6!clone3",
    "n:libc.so.6!start_thread",
    "n:libjvm.so!thread_native_entry",
    "n:libjvm.so!Thread::call_run",
    "n:libjvm.so!JavaThread::thread_main_inner",
    "n:libjvm.so!JavaCalls::call_virtual",
    "n:libjvm.so!JavaCalls::call_helper",
    "j:java.lang.Thread.run",
    "j:java.lang.Thread.runWith",
    "j:org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run",
    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run",
    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker",
];
pub(crate) const JVM_DISPATCH: &[&str] = &[
    "j:org.apache.tomcat.util.net.SocketProcessorBase.run",
    "j:org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun",
    "j:org.apache.coyote.AbstractProtocol$ConnectionHandler.process",
    "j:org.apache.coyote.AbstractProcessorLight.process",
    "j:org.apache.coyote.http11.Http11Processor.service",
    "j:org.apache.catalina.connector.CoyoteAdapter.service",
    "j:org.apache.catalina.core.StandardEngineValve.invoke",
    "j:org.apache.catalina.valves.ErrorReportValve.invoke",
    "j:org.apache.catalina.core.StandardHostValve.invoke",
    "j:org.apache.catalina.authenticator.AuthenticatorBase.invoke",
    "j:org.apache.catalina.core.StandardContextValve.invoke",
    "j:org.apache.catalina.core.StandardWrapperValve.invoke",
];
pub(crate) const JVM_FILTERS: &[&str] = &[
    "j:org.springframework.web.filter.RequestContextFilter.doFilterInternal",
    "j:org.springframework.web.filter.FormContentFilter.doFilterInternal",
    "j:org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal",
    "j:org.springframework.web.filter.ServerHttpObservationFilter.doFilterInternal",
    "j:org.springframework.security.web.FilterChainProxy.doFilterInternal",
    "j:com.acme.web.TenantFilter.doFilter",
    "j:com.acme.web.RequestLoggingFilter.doFilter",
];
pub(crate) const JVM_SPRING: &[&str] = &[
    "j:jakarta.servlet.http.HttpServlet.service",
    "j:org.springframework.web.servlet.FrameworkServlet.service",
    "j:org.springframework.web.servlet.FrameworkServlet.processRequest",
    "j:org.springframework.web.servlet.DispatcherServlet.doService",
    "j:org.springframework.web.servlet.DispatcherServlet.doDispatch",
    "j:org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle",
    "j:org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal",
    "j:org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod",
    "j:org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle",
    "j:org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest",
    "j:org.springframework.web.method.support.InvocableHandlerMethod.doInvoke",
    "j:java.lang.reflect.Method.invoke",
    "j:jdk.internal.reflect.DirectMethodHandleAccessor.invoke",
];
pub(crate) const JVM_PARK: &[&str] = &[
    "j:jdk.internal.misc.Unsafe.park",
    "n:libjvm.so!Unsafe_Park",
    "n:libjvm.so!Parker::park",
    "n:libc.so.6!pthread_cond_timedwait",
];
pub(crate) const JVM_SOCKET_READ: &[&str] = &[
    "j:java.net.Socket$SocketInputStream.read",
    "j:sun.nio.ch.NioSocketImpl.read",
    "j:sun.nio.ch.NioSocketImpl.implRead",
    "j:sun.nio.ch.NioSocketImpl.park",
    "j:sun.nio.ch.Net.poll",
    "n:libnio.so!Java_sun_nio_ch_Net_poll",
    "n:libc.so.6!__poll",
];
pub(crate) const JVM_SOCKET_WRITE: &[&str] = &[
    "j:java.net.Socket$SocketOutputStream.write",
    "j:sun.nio.ch.NioSocketImpl.write",
    "j:sun.nio.ch.NioSocketImpl.implWrite",
    "j:sun.nio.ch.SocketDispatcher.write",
    "n:libnio.so!Java_sun_nio_ch_SocketDispatcher_write0",
    "n:libc.so.6!__send",
];

pub(crate) const PY_THREAD: &[&str] = &[
    "n:libc.so.6!clone3",
    "n:libc.so.6!start_thread",
    "n:python3.12!thread_run",
    "p:threading:Thread._bootstrap",
    "p:threading:Thread._bootstrap_inner",
    "p:threading:Thread.run",
];
pub(crate) const PY_DISPATCH: &[&str] = &[
    "p:concurrent.futures.thread:_worker",
    "p:concurrent.futures.thread:_WorkItem.run",
    "p:gunicorn.workers.gthread:ThreadWorker.handle",
    "p:gunicorn.workers.gthread:ThreadWorker.handle_request",
    "p:flask.app:Flask.__call__",
    "p:opentelemetry.instrumentation.wsgi:OpenTelemetryMiddleware.__call__",
    "p:flask.app:Flask.wsgi_app",
    "p:flask.app:Flask.full_dispatch_request",
    "p:flask.app:Flask.dispatch_request",
];
pub(crate) const PY_DECORATORS: &[&str] = &[
    "p:myapp.auth:login_required.<locals>.wrapper",
    "p:myapp.telemetry.metrics:timed.<locals>.wrapper",
    "p:flask_limiter.extension:Limiter.limit.<locals>.wrapper",
];
pub(crate) const PY_LOCK: &[&str] = &[
    "p:threading:Condition.wait",
    "n:python3.12!lock_PyThread_acquire_lock",
    "n:python3.12!PyThread_acquire_lock_timed",
    "n:libc.so.6!sem_clockwait",
];

pub(crate) const GO_DISPATCH: &[&str] = &[
    "g:runtime.goexit",
    "g:net/http.(*conn).serve",
    "g:net/http.serverHandler.ServeHTTP",
    "g:net/http.(*ServeMux).ServeHTTP",
    "g:go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP",
    "g:net/http.HandlerFunc.ServeHTTP",
    "g:github.com/acme/gateway/internal/middleware.Logging.func1",
    "g:net/http.HandlerFunc.ServeHTTP",
    "g:github.com/acme/gateway/internal/router.(*Router).ServeHTTP",
];
pub(crate) const GO_READ: &[&str] = &[
    "g:net.(*conn).Read",
    "g:net.(*netFD).Read",
    "g:internal/poll.(*FD).Read",
    "g:internal/poll.ignoringEINTRIO",
    "g:syscall.Read",
    "+g:syscall.read",
    "g:syscall.Syscall",
    "g:syscall.RawSyscall6",
];

pub(crate) fn cat(parts: &[&[&'static str]]) -> Vec<&'static str> {
    parts.concat()
}

/// A background thread kind: who runs it, how its stacks start, and how they may end.
pub(crate) struct Background {
    pub(crate) threads: Vec<String>,
    pub(crate) prefix: Vec<&'static str>,
    pub(crate) suffixes: Vec<Vec<&'static str>>,
}

/// The fixed parts of one runtime's stacks.
pub(crate) struct Catalog {
    /// Tail chains per category (Compute, Alloc, Db, Cache, Rpc).
    pub(crate) tails: [Vec<Vec<&'static str>>; 5],
    pub(crate) background: Vec<Background>,
    pub(crate) worker_threads: Vec<String>,
}

pub(crate) fn catalog(runtime: Runtime) -> Catalog {
    match runtime {
        Runtime::Jvm => jvm_catalog(),
        Runtime::Python => python_catalog(),
        Runtime::Go => go_catalog(),
    }
}

pub(crate) fn worker_names(runtime: Runtime) -> Vec<String> {
    match runtime {
        Runtime::Jvm => (1..=16)
            .map(|i| format!("http-nio-8080-exec-{i}"))
            .collect(),
        Runtime::Python => (0..8)
            .map(|i| format!("ThreadPoolExecutor-0_{i}"))
            .collect(),
        Runtime::Go => Vec::new(),
    }
}

/// The worker-thread prefix of a request stack, up to (not including) the handler.
pub(crate) fn worker_prefix(runtime: Runtime, rng: &mut Rng) -> Vec<&'static str> {
    match runtime {
        Runtime::Jvm => {
            let mut out = cat(&[JVM_THREAD, JVM_DISPATCH]);
            // Servlet filters: each adds doFilter, internalDoFilter and the filter itself.
            for &filter in &JVM_FILTERS[..rng.range(2, JVM_FILTERS.len() as u64) as usize] {
                out.push("j:org.apache.catalina.core.ApplicationFilterChain.doFilter");
                out.push("j:org.apache.catalina.core.ApplicationFilterChain.internalDoFilter");
                out.push(filter);
            }
            out.extend_from_slice(JVM_SPRING);
            out
        }
        Runtime::Python => {
            let mut out = cat(&[PY_THREAD, PY_DISPATCH]);
            for &d in &PY_DECORATORS[..rng.index(PY_DECORATORS.len() + 1)] {
                out.push(d);
            }
            out
        }
        Runtime::Go => GO_DISPATCH.to_vec(),
    }
}

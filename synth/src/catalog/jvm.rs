//! The `checkout` service's catalog: Spring on Tomcat in a JVM.

use crate::catalog::{
    Background, Catalog, JVM_PARK, JVM_SOCKET_READ, JVM_SOCKET_WRITE, JVM_THREAD, K_EPOLL, K_FUTEX,
    K_POLL, K_SEND, cat, worker_names,
};
use crate::services::Runtime;

pub(crate) fn jvm_catalog() -> Catalog {
    let compute = vec![
        vec![
            "j:java.util.HashMap.get",
            "j:java.util.HashMap.getNode",
            "j:java.lang.String.hashCode",
            "j:java.lang.StringLatin1.hashCode",
        ],
        vec![
            "j:java.util.HashMap.put",
            "j:java.util.HashMap.putVal",
            "j:java.util.HashMap.resize",
        ],
        vec![
            "j:com.fasterxml.jackson.databind.ObjectMapper.writeValueAsString",
            "j:com.fasterxml.jackson.databind.ObjectMapper._writeValueAndClose",
            "j:com.fasterxml.jackson.databind.ser.DefaultSerializerProvider.serializeValue",
            "j:com.fasterxml.jackson.databind.ser.BeanSerializer.serialize",
            "j:com.fasterxml.jackson.databind.ser.std.BeanSerializerBase.serializeFields",
            "j:com.fasterxml.jackson.databind.ser.BeanPropertyWriter.serializeAsField",
            "j:com.fasterxml.jackson.core.json.WriterBasedJsonGenerator.writeString",
        ],
        vec![
            "j:java.math.BigDecimal.multiply",
            "j:java.math.BigDecimal.multiplyAndRound",
            "j:java.math.BigInteger.multiply",
            "j:java.math.BigInteger.multiplyToLen",
        ],
        vec![
            "j:java.util.stream.ReferencePipeline.collect",
            "j:java.util.stream.AbstractPipeline.evaluate",
            "j:java.util.stream.ReduceOps$ReduceOp.evaluateSequential",
            "j:java.util.stream.AbstractPipeline.wrapAndCopyInto",
            "j:java.util.stream.AbstractPipeline.copyInto",
            "j:java.util.ArrayList$ArrayListSpliterator.forEachRemaining",
            "j:java.util.stream.ReferencePipeline$3$1.accept",
        ],
        vec![
            "j:java.lang.String.format",
            "j:java.util.Formatter.format",
            "j:java.util.Formatter$FormatSpecifier.print",
            "j:java.lang.AbstractStringBuilder.append",
        ],
        vec![
            "j:java.util.regex.Matcher.matches",
            "j:java.util.regex.Matcher.match",
            "j:java.util.regex.Pattern$Start.match",
            "j:java.util.regex.Pattern$CharPropertyGreedy.match",
        ],
    ];
    let alloc = vec![
        vec![
            "j:java.util.ArrayList.add",
            "j:java.util.ArrayList.grow",
            "j:java.util.Arrays.copyOf",
        ],
        vec![
            "j:java.lang.StringBuilder.toString",
            "j:java.lang.StringLatin1.newString",
            "j:java.util.Arrays.copyOfRange",
        ],
        vec![
            "j:java.util.HashMap.put",
            "j:java.util.HashMap.putVal",
            "j:java.util.HashMap.newNode",
        ],
        vec![
            "j:java.math.BigDecimal.add",
            "j:java.math.BigDecimal.valueOf",
        ],
        vec![
            "j:com.fasterxml.jackson.databind.ObjectMapper.readValue",
            "j:com.fasterxml.jackson.databind.deser.BeanDeserializer.deserialize",
            "j:com.fasterxml.jackson.databind.deser.BeanDeserializer.vanillaDeserialize",
            "j:com.fasterxml.jackson.core.util.TextBuffer.contentsAsString",
        ],
    ];
    let db = vec![
        cat(&[
            &[
                "j:org.springframework.jdbc.core.JdbcTemplate.query",
                "j:org.springframework.jdbc.core.JdbcTemplate.execute",
                "j:com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeQuery",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeWithFlags",
                "j:org.postgresql.jdbc.PgStatement.executeInternal",
                "j:org.postgresql.core.v3.QueryExecutorImpl.execute",
                "j:org.postgresql.core.v3.QueryExecutorImpl.processResults",
                "j:org.postgresql.core.PGStream.receiveChar",
                "j:org.postgresql.core.VisibleBufferedInputStream.read",
                "j:org.postgresql.core.VisibleBufferedInputStream.readMore",
            ],
            JVM_SOCKET_READ,
            K_POLL,
        ]),
        cat(&[
            &[
                "j:org.springframework.jdbc.core.JdbcTemplate.update",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeUpdate",
                "j:org.postgresql.core.v3.QueryExecutorImpl.sendQuery",
                "j:org.postgresql.core.v3.QueryExecutorImpl.sendOneQuery",
                "j:org.postgresql.core.PGStream.flush",
            ],
            JVM_SOCKET_WRITE,
            K_SEND,
        ]),
        cat(&[
            &[
                "j:com.zaxxer.hikari.pool.HikariPool.getConnection",
                "j:com.zaxxer.hikari.util.ConcurrentBag.borrow",
                "j:java.util.concurrent.SynchronousQueue.poll",
                "j:java.util.concurrent.locks.LockSupport.parkNanos",
            ],
            JVM_PARK,
            K_FUTEX,
        ]),
        vec![
            "j:org.postgresql.jdbc.PgResultSet.getString",
            "j:org.postgresql.core.Encoding.decode",
            "j:java.lang.String.<init>",
            "j:java.lang.String.decodeUTF8_UTF16",
        ],
    ];
    let cache = vec![
        cat(&[
            &[
                "j:redis.clients.jedis.Jedis.get",
                "j:redis.clients.jedis.Connection.executeCommand",
                "j:redis.clients.jedis.Connection.getOne",
                "j:redis.clients.jedis.Protocol.read",
                "j:redis.clients.jedis.util.RedisInputStream.ensureFill",
            ],
            JVM_SOCKET_READ,
            K_POLL,
        ]),
        cat(&[
            &[
                "j:redis.clients.jedis.Jedis.setex",
                "j:redis.clients.jedis.Connection.executeCommand",
                "j:redis.clients.jedis.Connection.sendCommand",
                "j:redis.clients.jedis.util.RedisOutputStream.flush",
            ],
            JVM_SOCKET_WRITE,
            K_SEND,
        ]),
    ];
    let rpc = vec![cat(&[
        &[
            "j:org.springframework.web.client.RestTemplate.postForObject",
            "j:org.springframework.web.client.RestTemplate.execute",
            "j:org.springframework.web.client.RestTemplate.doExecute",
            "j:org.springframework.http.client.AbstractClientHttpRequest.execute",
            "j:org.springframework.http.client.JdkClientHttpRequest.executeInternal",
            "j:jdk.internal.net.http.HttpClientFacade.send",
            "j:jdk.internal.net.http.HttpClientImpl.send",
            "j:java.util.concurrent.CompletableFuture.get",
            "j:java.util.concurrent.CompletableFuture.waitingGet",
            "j:java.util.concurrent.locks.LockSupport.park",
        ],
        JVM_PARK,
        K_FUTEX,
    ])];
    let gc_prefix = vec![
        "n:libc.so.6!clone3",
        "n:libc.so.6!start_thread",
        "n:libjvm.so!thread_native_entry",
        "n:libjvm.so!Thread::call_run",
        "n:libjvm.so!WorkerThread::run",
    ];
    let background = vec![
        Background {
            threads: (0..4).map(|i| format!("GC Thread#{i}")).collect(),
            prefix: gc_prefix,
            suffixes: vec![
                vec![
                    "n:libjvm.so!G1EvacuateRegionsTask::work",
                    "n:libjvm.so!G1ParEvacuateFollowersClosure::do_void",
                    "n:libjvm.so!G1ParScanThreadState::steal_and_trim_queue",
                    "n:libjvm.so!G1ParScanThreadState::do_copy_to_survivor_space",
                ],
                vec![
                    "n:libjvm.so!G1EvacuateRegionsTask::work",
                    "n:libjvm.so!G1RootProcessor::evacuate_roots",
                    "n:libjvm.so!Threads::possibly_parallel_oops_do",
                    "n:libjvm.so!JavaThread::oops_do_frames",
                    "n:libjvm.so!frame::oops_do_internal",
                ],
                cat(&[
                    &[
                        "n:libjvm.so!WorkerThreads::run_task",
                        "n:libjvm.so!Semaphore::wait",
                        "n:libc.so.6!sem_wait",
                    ],
                    K_FUTEX,
                ]),
            ],
        },
        Background {
            threads: vec!["C2 CompilerThread0".into(), "C2 CompilerThread1".into()],
            prefix: vec![
                "n:libc.so.6!clone3",
                "n:libc.so.6!start_thread",
                "n:libjvm.so!thread_native_entry",
                "n:libjvm.so!Thread::call_run",
                "n:libjvm.so!JavaThread::thread_main_inner",
                "n:libjvm.so!CompileBroker::compiler_thread_loop",
                "n:libjvm.so!CompileBroker::invoke_compiler_on_method",
                "n:libjvm.so!C2Compiler::compile_method",
                "n:libjvm.so!Compile::Compile",
            ],
            suffixes: vec![
                vec![
                    "n:libjvm.so!Compile::Optimize",
                    "n:libjvm.so!PhaseIdealLoop::optimize",
                    "n:libjvm.so!PhaseIdealLoop::build_and_optimize",
                    "n:libjvm.so!PhaseIdealLoop::build_loop_late",
                ],
                vec![
                    "n:libjvm.so!Compile::Code_Gen",
                    "n:libjvm.so!PhaseChaitin::Register_Allocate",
                    "n:libjvm.so!PhaseChaitin::build_ifg_physical",
                ],
                vec![
                    "n:libjvm.so!ParseGenerator::generate",
                    "n:libjvm.so!Parse::Parse",
                    "n:libjvm.so!Parse::do_all_blocks",
                    "n:libjvm.so!Parse::do_one_bytecode",
                ],
            ],
        },
        Background {
            threads: worker_names(Runtime::Jvm),
            prefix: JVM_THREAD.to_vec(),
            suffixes: vec![cat(&[
                &[
                    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor.getTask",
                    "j:org.apache.tomcat.util.threads.TaskQueue.take",
                    "j:java.util.concurrent.LinkedBlockingQueue.take",
                    "j:java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
                    "j:java.util.concurrent.locks.LockSupport.park",
                ],
                JVM_PARK,
                K_FUTEX,
            ])],
        },
        Background {
            threads: vec!["http-nio-8080-Poller".into()],
            prefix: vec![
                "n:libc.so.6!clone3",
                "n:libc.so.6!start_thread",
                "n:libjvm.so!thread_native_entry",
                "n:libjvm.so!Thread::call_run",
                "n:libjvm.so!JavaThread::thread_main_inner",
                "j:java.lang.Thread.run",
                "j:org.apache.tomcat.util.net.NioEndpoint$Poller.run",
            ],
            suffixes: vec![
                cat(&[
                    &[
                        "j:sun.nio.ch.SelectorImpl.select",
                        "j:sun.nio.ch.SelectorImpl.lockAndDoSelect",
                        "j:sun.nio.ch.EPollSelectorImpl.doSelect",
                        "j:sun.nio.ch.EPoll.wait",
                        "n:libnio.so!Java_sun_nio_ch_EPoll_wait",
                        "n:libc.so.6!epoll_wait",
                    ],
                    K_EPOLL,
                ]),
                vec![
                    "j:org.apache.tomcat.util.net.NioEndpoint$Poller.processKey",
                    "j:org.apache.tomcat.util.net.AbstractEndpoint.processSocket",
                    "j:java.util.concurrent.ThreadPoolExecutor.execute",
                ],
            ],
        },
    ];
    Catalog {
        tails: [compute, alloc, db, cache, rpc],
        background,
        worker_threads: worker_names(Runtime::Jvm),
    }
}

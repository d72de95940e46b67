//! The `orders` service's catalog: Flask under gunicorn in CPython.

use crate::catalog::{
    Background, Catalog, K_EPOLL, K_FUTEX, K_POLL, K_READ, K_SLEEP, PY_LOCK, PY_THREAD, cat,
    worker_names,
};
use crate::services::Runtime;

pub(crate) fn python_catalog() -> Catalog {
    let compute = vec![
        vec![
            "p:json:dumps",
            "p:json.encoder:JSONEncoder.encode",
            "p:json.encoder:JSONEncoder.iterencode",
            "n:_json.cpython-312-x86_64-linux-gnu.so!encoder_listencode_obj",
            "n:_json.cpython-312-x86_64-linux-gnu.so!encoder_listencode_dict",
        ],
        vec![
            "p:pydantic.main:BaseModel.model_validate",
            "n:_pydantic_core.cpython-312-x86_64-linux-gnu.so!pydantic_core::validators::model::ModelValidator::validate",
            "n:_pydantic_core.cpython-312-x86_64-linux-gnu.so!pydantic_core::validators::model_fields::ModelFieldsValidator::validate",
        ],
        vec![
            "p:copy:deepcopy",
            "p:copy:_deepcopy_dict",
            "p:copy:deepcopy",
            "p:copy:_deepcopy_list",
            "p:copy:deepcopy",
        ],
        vec![
            "p:sqlalchemy.orm.loading:instances",
            "p:sqlalchemy.orm.loading:_instance",
            "p:sqlalchemy.orm.state:InstanceState._commit_all",
        ],
        vec![
            "p:myapp.pricing.money:Money.__add__",
            "n:python3.12!_PyEval_EvalFrameDefault",
            "n:python3.12!PyNumber_Add",
            "n:python3.12!long_add",
        ],
        vec![
            "p:re:Pattern.match",
            "n:python3.12!_sre_SRE_Pattern_match",
            "n:python3.12!sre_ucs1_match",
        ],
    ];
    let alloc = vec![
        vec![
            "n:python3.12!PyObject_Malloc",
            "n:python3.12!pymalloc_alloc",
        ],
        vec![
            "n:python3.12!PyList_Append",
            "n:python3.12!list_resize",
            "n:python3.12!PyMem_Realloc",
        ],
        vec![
            "n:python3.12!_PyDict_NewPresized",
            "n:python3.12!PyObject_Malloc",
            "n:python3.12!pymalloc_alloc",
        ],
        vec![
            "n:python3.12!PyUnicode_New",
            "n:python3.12!PyObject_Malloc",
            "n:libc.so.6!malloc",
        ],
    ];
    let db = vec![
        cat(&[
            &[
                "p:sqlalchemy.orm.session:Session.execute",
                "p:sqlalchemy.orm.session:Session._execute_internal",
                "p:sqlalchemy.orm.context:ORMSelectCompileState.orm_execute_statement",
                "p:sqlalchemy.engine.base:Connection.execute",
                "p:sqlalchemy.engine.base:Connection._execute_clauseelement",
                "p:sqlalchemy.engine.base:Connection._execute_context",
                "p:sqlalchemy.engine.base:Connection._exec_single_context",
                "p:sqlalchemy.engine.default:DefaultDialect.do_execute",
                "n:_psycopg.cpython-312-x86_64-linux-gnu.so!psyco_curs_execute",
                "n:libpq.so.5!PQexec",
                "n:libpq.so.5!PQexecFinish",
                "n:libpq.so.5!pqWait",
                "n:libpq.so.5!pqSocketCheck",
                "n:libc.so.6!__poll",
            ],
            K_POLL,
        ]),
        vec![
            "p:sqlalchemy.engine.result:Result.all",
            "p:sqlalchemy.engine.result:Result._allrows",
            "p:sqlalchemy.engine.cursor:CursorResult._fetchall_impl",
            "n:_psycopg.cpython-312-x86_64-linux-gnu.so!psyco_curs_fetchall",
            "n:libpq.so.5!PQgetvalue",
        ],
        cat(&[
            &[
                "p:sqlalchemy.pool.base:_ConnectionRecord.checkout",
                "p:sqlalchemy.pool.impl:QueuePool._do_get",
                "p:sqlalchemy.util.queue:Queue.get",
            ],
            PY_LOCK,
            K_FUTEX,
        ]),
    ];
    let cache = vec![
        cat(&[
            &[
                "p:redis.commands.core:BasicKeyCommands.get",
                "p:redis.client:Redis.execute_command",
                "p:redis.client:Redis._execute_command",
                "p:redis.client:Redis.parse_response",
                "p:redis._parsers.resp2:_RESP2Parser.read_response",
                "p:redis._parsers.socket:SocketBuffer.readline",
                "p:redis._parsers.socket:SocketBuffer._read_from_socket",
                "p:ssl:SSLSocket.recv_into",
                "p:ssl:SSLSocket.read",
                "n:_ssl.cpython-312-x86_64-linux-gnu.so!_ssl__SSLSocket_read",
                "n:libssl.so.3!SSL_read",
                "n:libssl.so.3!ssl3_read_bytes",
                "u:libcrypto.so.3",
                "n:libcrypto.so.3!BIO_read",
                "u:libcrypto.so.3",
                "n:libc.so.6!read",
            ],
            K_READ,
        ]),
        vec![
            "p:redis.commands.core:BasicKeyCommands.set",
            "p:redis.client:Redis.execute_command",
            "p:redis.client:Redis._execute_command",
            "p:redis.connection:AbstractConnection.send_command",
            "p:redis.connection:AbstractConnection.send_packed_command",
            "p:ssl:SSLSocket.sendall",
            "p:ssl:SSLSocket.send",
            "n:_ssl.cpython-312-x86_64-linux-gnu.so!_ssl__SSLSocket_write",
            "n:libssl.so.3!SSL_write",
            "u:libcrypto.so.3",
            "u:libcrypto.so.3",
            "u:libcrypto.so.3",
        ],
    ];
    let rpc = vec![cat(&[
        &[
            "p:requests.api:post",
            "p:requests.sessions:Session.request",
            "p:requests.sessions:Session.send",
            "p:requests.adapters:HTTPAdapter.send",
            "p:urllib3.connectionpool:HTTPConnectionPool.urlopen",
            "p:urllib3.connectionpool:HTTPConnectionPool._make_request",
            "p:http.client:HTTPConnection.getresponse",
            "p:http.client:HTTPResponse.begin",
            "p:http.client:HTTPResponse._read_status",
            "p:socket:SocketIO.readinto",
            "n:python3.12!sock_recv_into",
            "n:libc.so.6!recv",
        ],
        K_READ,
    ])];
    let background = vec![
        Background {
            threads: vec!["MainThread".into()],
            prefix: vec![
                "n:python3.12!_start",
                "n:libc.so.6!__libc_start_main",
                "n:python3.12!Py_BytesMain",
                "n:python3.12!Py_RunMain",
                "p:gunicorn.__main__:<module>",
                "p:gunicorn.app.wsgiapp:run",
                "p:gunicorn.app.base:BaseApplication.run",
                "p:gunicorn.arbiter:Arbiter.run",
                "p:gunicorn.arbiter:Arbiter.spawn_worker",
                "p:gunicorn.workers.gthread:ThreadWorker.run",
            ],
            suffixes: vec![
                cat(&[
                    &[
                        "p:gunicorn.workers.gthread:ThreadWorker.wait_for_and_dispatch_events",
                        "p:selectors:EpollSelector.select",
                        "n:python3.12!select_epoll_poll",
                        "n:libc.so.6!epoll_wait",
                    ],
                    K_EPOLL,
                ]),
                vec![
                    "p:gunicorn.workers.gthread:ThreadWorker.murder_keepalived",
                    "n:python3.12!_Py_HandlePending",
                    "n:python3.12!gc_collect_main",
                    "n:python3.12!deduce_unreachable",
                    "n:python3.12!visit_reachable",
                ],
            ],
        },
        Background {
            threads: vec!["metrics-flush".into()],
            prefix: cat(&[PY_THREAD, &["p:myapp.telemetry.metrics:flush_loop"]]),
            suffixes: vec![
                cat(&[
                    &[
                        "n:python3.12!time_sleep",
                        "n:python3.12!pysleep",
                        "n:libc.so.6!clock_nanosleep",
                    ],
                    K_SLEEP,
                ]),
                vec![
                    "p:myapp.telemetry.metrics:collect",
                    "p:myapp.telemetry.metrics:Histogram.snapshot",
                ],
            ],
        },
        Background {
            threads: worker_names(Runtime::Python),
            prefix: cat(&[PY_THREAD, &["p:concurrent.futures.thread:_worker"]]),
            suffixes: vec![cat(&[&["p:queue:SimpleQueue.get"], &PY_LOCK[1..], K_FUTEX])],
        },
    ];
    Catalog {
        tails: [compute, alloc, db, cache, rpc],
        background,
        worker_threads: worker_names(Runtime::Python),
    }
}

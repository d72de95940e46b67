//! The `gateway` service's catalog: a Go service.

use crate::catalog::{Background, Catalog, GO_READ, K_EPOLL, K_FUTEX, K_READ, K_SLEEP, cat};

pub(crate) fn go_catalog() -> Catalog {
    let compute = vec![
        vec![
            "g:encoding/json.Marshal",
            "g:encoding/json.(*encodeState).marshal",
            "g:encoding/json.(*encodeState).reflectValue",
            "g:encoding/json.structEncoder.encode",
            "g:encoding/json.stringEncoder",
            "g:encoding/json.appendString[...]",
        ],
        vec![
            "g:github.com/golang-jwt/jwt/v5.(*Parser).ParseWithClaims",
            "g:github.com/golang-jwt/jwt/v5.(*SigningMethodECDSA).Verify",
            "g:crypto/ecdsa.VerifyASN1",
            "g:crypto/internal/fips140/ecdsa.Verify[...]",
            "g:crypto/internal/fips140/nistec.(*P256Point).ScalarMult",
            "g:crypto/internal/fips140/nistec.p256Sqr",
        ],
        vec![
            "g:regexp.(*Regexp).MatchString",
            "g:regexp.(*Regexp).doExecute",
            "g:regexp.(*Regexp).backtrack",
            "g:regexp.(*Regexp).tryBacktrack",
        ],
        vec![
            "g:net/http.Header.Get",
            "g:net/textproto.MIMEHeader.Get",
            "+g:net/textproto.CanonicalMIMEHeaderKey",
        ],
        vec!["g:strings.(*Builder).WriteString", "g:runtime.memmove"],
    ];
    let alloc = vec![
        vec![
            "g:runtime.newobject",
            "g:runtime.mallocgc",
            "+g:runtime.nextFreeFast",
        ],
        vec![
            "g:runtime.makeslice",
            "g:runtime.mallocgc",
            "g:runtime.(*mcache).nextFree",
            "g:runtime.(*mcache).refill",
            "g:runtime.(*mcentral).cacheSpan",
        ],
        vec![
            "g:runtime.growslice",
            "g:runtime.mallocgc",
            "g:runtime.memclrNoHeapPointers",
        ],
        vec![
            "g:runtime.concatstrings",
            "+g:runtime.rawstringtmp",
            "g:runtime.rawstring",
            "g:runtime.mallocgc",
            "+g:runtime.nextFreeFast",
        ],
    ];
    let cache = vec![cat(&[
        &[
            "g:github.com/redis/go-redis/v9.(*Client).Process",
            "g:github.com/redis/go-redis/v9.(*baseClient).process",
            "g:github.com/redis/go-redis/v9.(*baseClient)._process",
            "g:github.com/redis/go-redis/v9.(*baseClient).withConn",
            "g:github.com/redis/go-redis/v9/internal/pool.(*Conn).WithReader",
            "g:github.com/redis/go-redis/v9/internal/proto.(*Reader).ReadReply",
            "g:bufio.(*Reader).ReadSlice",
            "g:bufio.(*Reader).fill",
        ],
        GO_READ,
        K_READ,
    ])];
    let rpc = vec![
        cat(&[&[
            "g:net/http/httputil.(*ReverseProxy).ServeHTTP",
            "g:net/http.(*Transport).RoundTrip",
            "g:net/http.(*Transport).roundTrip",
            "g:net/http.(*persistConn).roundTrip",
            "g:runtime.selectgo",
            "g:runtime.gopark",
        ]]),
        cat(&[
            &[
                "g:net/http/httputil.(*ReverseProxy).ServeHTTP",
                "g:io.Copy",
                "g:io.copyBuffer",
                "g:net/http.(*body).Read",
                "g:net/http.(*body).readLocked",
                "g:bufio.(*Reader).Read",
            ],
            GO_READ,
            K_READ,
        ]),
    ];
    let background = vec![
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.gcBgMarkWorker",
                "g:runtime.systemstack",
                "g:runtime.gcBgMarkWorker.func2",
                "g:runtime.gcDrain",
            ],
            suffixes: vec![
                vec!["g:runtime.scanobject", "g:runtime.greyobject"],
                vec![
                    "g:runtime.markroot",
                    "g:runtime.markroot.func1",
                    "g:runtime.scanstack",
                    "g:runtime.scanframeworker",
                ],
                vec!["g:runtime.(*gcWork).balance"],
            ],
        },
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.mstart",
                "g:runtime.mstart0",
                "g:runtime.mstart1",
                "g:runtime.schedule",
                "g:runtime.findRunnable",
            ],
            suffixes: vec![
                cat(&[
                    &["g:runtime.netpoll", "g:internal/runtime/syscall.EpollWait"],
                    K_EPOLL,
                ]),
                cat(&[
                    &[
                        "g:runtime.stopm",
                        "g:runtime.mPark",
                        "+g:runtime.notesleep",
                        "g:runtime.futexsleep",
                        "g:runtime.futex",
                    ],
                    K_FUTEX,
                ]),
                vec!["g:runtime.runqsteal", "g:runtime.runqgrab"],
            ],
        },
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.mstart",
                "g:runtime.mstart0",
                "g:runtime.mstart1",
                "g:runtime.sysmon",
            ],
            suffixes: vec![cat(&[
                &["g:runtime.usleep"],
                &K_SLEEP[..2],
                &[
                    "k:__x64_sys_nanosleep",
                    "k:hrtimer_nanosleep",
                    "k:do_nanosleep",
                    "k:schedule",
                ],
            ])],
        },
    ];
    Catalog {
        tails: [compute, alloc, Vec::new(), cache, rpc],
        background,
        worker_threads: Vec::new(),
    }
}

//! Generated application code: function names per runtime, the hand-picked anchors, and
//! the call graph they form.

use std::collections::HashMap;

use crate::rng::{Discrete, Rng};
use crate::services::Runtime;

pub(crate) const JVM_MODULES: &[&str] = &[
    "checkout",
    "cart",
    "pricing",
    "promotions",
    "inventory",
    "catalog",
    "customer",
    "shipping",
    "tax",
    "payments",
];
pub(crate) const NOUNS: &[&str] = &[
    "Cart",
    "Item",
    "Price",
    "Discount",
    "Order",
    "Line",
    "Customer",
    "Address",
    "Rule",
    "Tax",
    "Stock",
    "Payment",
    "Session",
    "Token",
    "Currency",
    "Promotion",
    "Coupon",
    "Shipment",
    "Invoice",
    "Product",
];
pub(crate) const ROLES: &[&str] = &[
    "Service",
    "Repository",
    "Validator",
    "Mapper",
    "Calculator",
    "Client",
    "Resolver",
    "Factory",
    "Policy",
    "Assembler",
];
pub(crate) const VERBS: &[&str] = &[
    "add",
    "get",
    "find",
    "load",
    "compute",
    "apply",
    "validate",
    "build",
    "resolve",
    "update",
    "check",
    "merge",
    "convert",
    "fetch",
    "create",
    "save",
    "handle",
    "normalize",
    "enrich",
    "score",
];
pub(crate) const PY_PACKAGES: &[&str] = &[
    "services",
    "models",
    "db",
    "pricing",
    "serializers",
    "validators",
    "domain",
    "utils",
];
pub(crate) const GO_PACKAGES: &[&str] = &[
    "proxy",
    "auth",
    "ratelimit",
    "session",
    "routing",
    "cache",
    "upstream",
    "metrics",
    "transform",
    "catalog",
];
pub(crate) const GO_TYPES: &[&str] = &[
    "Proxy", "Limiter", "Resolver", "Client", "Store", "Pool", "Matcher", "Encoder", "Balancer",
    "Session",
];
pub(crate) const GO_METHODS: &[&str] = &[
    "Forward", "Allow", "Resolve", "Do", "Get", "Put", "Match", "Encode", "Pick", "Refresh",
    "Validate", "Lookup", "Apply", "Wrap",
];

/// Hand-picked names that lead each service's generated code: the first handler, the first
/// function it calls, and a mutually recursive pair.
pub(crate) struct Anchors {
    pub(crate) handler: &'static str,
    pub(crate) service: &'static str,
    pub(crate) recursive: &'static str,
    pub(crate) partner: &'static str,
}

pub(crate) fn anchors(runtime: Runtime) -> Anchors {
    match runtime {
        Runtime::Jvm => Anchors {
            handler: "j:com.acme.checkout.CartController.addItem",
            service: "j:com.acme.checkout.CartService.addItem",
            recursive: "j:com.acme.promotions.RuleEngine.evaluate",
            partner: "j:com.acme.promotions.RuleNode.accept",
        },
        Runtime::Python => Anchors {
            handler: "p:myapp.handlers.orders:create_order",
            service: "p:myapp.services.orders:OrderService.create",
            recursive: "p:myapp.pricing.rules:evaluate_rule",
            partner: "p:myapp.pricing.rules:_evaluate_children",
        },
        Runtime::Go => Anchors {
            handler: "g:github.com/acme/gateway/internal/handlers.(*CartHandler).AddItem",
            service: "g:github.com/acme/gateway/internal/proxy.(*Proxy).Forward",
            recursive: "g:github.com/acme/gateway/internal/router.(*node).match",
            partner: "g:github.com/acme/gateway/internal/router.(*node).match",
        },
    }
}

/// A generated function name as a frame spec.
pub(crate) fn app_name(runtime: Runtime, handler: bool, rng: &mut Rng) -> String {
    let noun = rng.pick(NOUNS);
    let noun2 = rng.pick(NOUNS);
    let verb = rng.pick(VERBS);
    match runtime {
        Runtime::Jvm => {
            let module = rng.pick(JVM_MODULES);
            let role = if handler {
                "Controller"
            } else {
                rng.pick(ROLES)
            };
            format!("j:com.acme.{module}.{noun}{role}.{verb}{noun2}")
        }
        Runtime::Python => {
            let module = format!("{}s", noun.to_ascii_lowercase());
            let f = format!("{verb}_{}", noun2.to_ascii_lowercase());
            if handler {
                format!("p:myapp.handlers.{module}:{f}")
            } else if rng.chance(0.5) {
                let role = rng.pick(ROLES);
                format!(
                    "p:myapp.{}.{module}:{noun}{role}.{f}",
                    rng.pick(PY_PACKAGES)
                )
            } else {
                format!("p:myapp.{}.{module}:{f}", rng.pick(PY_PACKAGES))
            }
        }
        Runtime::Go => {
            let method = rng.pick(GO_METHODS);
            if handler {
                format!("g:github.com/acme/gateway/internal/handlers.(*{noun}Handler).{method}")
            } else if rng.chance(0.6) {
                let pkg = rng.pick(GO_PACKAGES);
                format!(
                    "g:github.com/acme/gateway/internal/{pkg}.(*{}).{method}",
                    rng.pick(GO_TYPES)
                )
            } else {
                let pkg = rng.pick(GO_PACKAGES);
                format!(
                    "g:github.com/acme/gateway/internal/{pkg}.{}{noun}",
                    verb.to_ascii_lowercase()
                )
            }
        }
    }
}

/// One service's application call graph over function ids. Handlers come first; edges go
/// from lower to higher index (so walks end), plus designated recursion.
pub(crate) struct AppGraph {
    pub(crate) funcs: Vec<u32>,
    pub(crate) callees: Vec<Vec<u32>>,
    pub(crate) handler_zipf: Discrete,
    /// `(function, partner)`: calls itself through `partner` (which may be itself).
    pub(crate) recursion: HashMap<u32, u32>,
}

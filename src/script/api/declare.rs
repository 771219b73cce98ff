//! The mechanism every script function is declared through. A declaration ([`Area::func`]) is
//! one entry: module, name, parameters (each a conversion: [`Id`], [`Props`], [`Str`], ...),
//! return type, a one-line doc and a body. What every function does the same way is done here
//! once and nowhere else:
//!
//! - the Rhai registration (volatile, parameter info and doc for the reference and the REPL);
//! - the call position and the function's full name (`tickets::get`), carried by [`Call`];
//! - argument conversion, in parameter order, with errors naming the function;
//! - the optional trailing options map ([`Decl::options`]): a second overload that refuses
//!   unknown keys; the body reads [`Call::options`] (empty without it);
//! - for writes ([`Decl::write`]): the write guard ([`RunCtx::admit_write`]) on the targets the
//!   arguments name, then the dry-run body or the real one.
//!
//! Backend errors are mapped where every call goes through, [`RunCtx::call`].

use std::ops::Deref;
use std::sync::Arc;

use rhai::{
    Dynamic, EvalAltResult, FnNamespace, FuncRegistration, ImmutableString, Map, Module,
    NativeCallContext, Position, FLOAT, INT,
};
use serde::de::DeserializeOwned;

use crate::model::InputProperties;

use super::super::bridge::usage;
use super::super::context::RunCtx;
use super::super::convert;
use super::super::guard::WriteTarget;

/// What a script function returns to Rhai.
pub(crate) type Res<T> = Result<T, Box<EvalAltResult>>;

/// A value Rhai can hold (what its own `Variant` asks, which it does not export).
pub(crate) trait Variant: Clone + Send + Sync + 'static {}

impl<T: Clone + Send + Sync + 'static> Variant for T {}

/// One call of a script function: the run it belongs to (reachable through `Deref`, so a
/// body writes `c.call(c.pos, c.backend.get(..))`, `c.dry_run()`, `c.plan(..)`), the script
/// position of the call, the function's full name and its options map.
pub(crate) struct Call<'a> {
    ctx: &'a Arc<RunCtx>,
    /// Where the script called the function: every error of the call points here.
    pub(crate) pos: Position,
    /// The full name, `tickets::get` (or `now` for a global function), for messages.
    pub(crate) name: &'a str,
    /// The options map, checked against [`Decl::options`]; empty when none was given.
    pub(crate) options: Map,
}

impl Call<'_> {
    /// The run context itself, for values that outlive the call (lazy queries).
    pub(crate) fn ctx(&self) -> &Arc<RunCtx> {
        self.ctx
    }

    /// A usage error at the call position.
    pub(crate) fn usage(&self, message: impl Into<String>) -> Box<EvalAltResult> {
        usage(self.pos, message)
    }
}

impl Deref for Call<'_> {
    type Target = RunCtx;

    fn deref(&self) -> &RunCtx {
        self.ctx
    }
}

/// One parameter: how the script's value arrives (its Rhai type decides which overload a call
/// picks) and what the body receives after conversion. Each kind is built with the parameter
/// as the reference shows it, `"name: type"`.
pub(crate) trait Arg: Send + Sync + 'static {
    /// The type Rhai passes (`Dynamic` matches any value).
    type Rhai: Variant;
    /// What the body receives.
    type Value: 'static;
    /// `name: type`, as the reference and the REPL show it.
    fn info(&self) -> &'static str;
    /// Converts the script's value, or says what was wrong at the call position.
    fn convert(&self, v: Self::Rhai, c: &Call) -> Res<Self::Value>;
}

/// A record id: a string or an integer (`"51"` or `51`), received as text.
pub(crate) struct Id(pub &'static str);
/// An array of record ids, received as text.
pub(crate) struct Ids(pub &'static str);
/// A map of property values, received as HubSpot's strings (`()` and `""` clear).
pub(crate) struct Props(pub &'static str);
/// A string (only a string matches).
pub(crate) struct Str(pub &'static str);
/// An integer (only an integer matches).
pub(crate) struct Int(pub &'static str);
/// A float (only a float matches).
pub(crate) struct Float(pub &'static str);
/// An object map (only a map matches).
pub(crate) struct ObjMap(pub &'static str);
/// Any value, unconverted.
pub(crate) struct Any(pub &'static str);
/// A value converted by a function of its own (`custom("items: array", |v, c| ..)`), for a
/// conversion only one area needs.
pub(crate) struct Custom<T>(&'static str, Box<Convert<T>>);

type Convert<T> = dyn Fn(Dynamic, &Call) -> Res<T> + Send + Sync;

/// A [`Custom`] parameter shown as `info`.
pub(crate) fn custom<T, F>(info: &'static str, convert: F) -> Custom<T>
where
    F: Fn(Dynamic, &Call) -> Res<T> + Send + Sync + 'static,
{
    Custom(info, Box::new(convert))
}

/// A HubSpot-shaped value deserialized into `T`, shown as `info`; errors name
/// `<function> <parameter>` (`tickets::create associations`).
pub(crate) fn json<T: DeserializeOwned>(info: &'static str) -> Custom<T> {
    let param = info.split(':').next().unwrap_or(info).trim();
    custom(info, move |v, c| {
        convert::from_dyn(&v, &format!("{} {param}", c.name), c.pos)
    })
}

macro_rules! arg {
    ($kind:ty, $rhai:ty, $value:ty, |$v:ident, $c:ident| $convert:expr) => {
        impl Arg for $kind {
            type Rhai = $rhai;
            type Value = $value;
            fn info(&self) -> &'static str {
                self.0
            }
            fn convert(&self, $v: $rhai, $c: &Call) -> Res<$value> {
                $convert
            }
        }
    };
}

arg!(Id, Dynamic, String, |v, c| convert::id(&v, c.name, c.pos));
arg!(Ids, Dynamic, Vec<String>, |v, c| convert::ids(
    &v, c.name, c.pos
));
arg!(Props, Dynamic, InputProperties, |v, c| {
    convert::properties(&v, c.name, c.pos)
});
arg!(Str, ImmutableString, ImmutableString, |v, _c| Ok(v));
arg!(Int, INT, INT, |v, _c| Ok(v));
arg!(Float, FLOAT, FLOAT, |v, _c| Ok(v));
arg!(ObjMap, Map, Map, |v, _c| Ok(v));
arg!(Any, Dynamic, Dynamic, |v, _c| Ok(v));

impl<T: 'static> Arg for Custom<T> {
    type Rhai = Dynamic;
    type Value = T;
    fn info(&self) -> &'static str {
        self.0
    }
    fn convert(&self, v: Dynamic, c: &Call) -> Res<T> {
        (self.1)(v, c)
    }
}

/// Where a declaration is installed for one run: the context and the full name.
#[derive(Clone)]
pub(crate) struct Site {
    ctx: Arc<RunCtx>,
    name: Arc<str>,
}

/// One overload to install: its registration, where it runs, and the option keys when it is
/// the overload taking an options map.
pub(crate) struct Slot {
    reg: FuncRegistration,
    site: Site,
    options: Option<&'static [&'static str]>,
}

impl Site {
    fn call(&self, nc: &NativeCallContext, options: Map) -> Call<'_> {
        Call {
            ctx: &self.ctx,
            pos: nc.call_position(),
            name: &self.name,
            options,
        }
    }
}

/// Installs one declaration into a module for one run.
type Install = Box<dyn Fn(&mut Module, &Arc<RunCtx>) + Send + Sync>;
type Body<V, R> = Arc<dyn Fn(&Call, V) -> Res<R> + Send + Sync>;
type MethodBody<T, V, R> = Arc<dyn Fn(&Call, &mut T, V) -> Res<R> + Send + Sync>;

/// A function's parameter list: a tuple of [`Arg`]s (`()`, `(Id("id: string"),)`, ...),
/// installed as one Rhai function of that arity.
pub(crate) trait Params: Send + Sync + 'static {
    /// The converted values the body receives, a tuple in parameter order.
    type Values;
    /// Each parameter as `name: type`.
    fn infos(&self) -> Vec<&'static str>;
    /// Installs the function; with option keys, the overload taking one more map.
    fn install<R: Variant>(self: Arc<Self>, m: &mut Module, at: Slot, body: Body<Self::Values, R>);
    /// Installs a method on `T` (the receiver comes first, by reference).
    fn install_method<T: Variant, R: Variant>(
        self: Arc<Self>,
        m: &mut Module,
        at: Slot,
        body: MethodBody<T, Self::Values, R>,
    );
}

macro_rules! params {
    ($($A:ident $a:ident $i:tt),*) => {
        impl<$($A: Arg),*> Params for ($($A,)*) {
            type Values = ($($A::Value,)*);

            fn infos(&self) -> Vec<&'static str> {
                vec![$(self.$i.info()),*]
            }

            fn install<R: Variant>(self: Arc<Self>, m: &mut Module, at: Slot, body: Body<Self::Values, R>) {
                let Slot { reg, site, options } = at;
                match options {
                    None => {
                        reg.set_into_module(m, move |nc: NativeCallContext, $($a: <$A as Arg>::Rhai),*| -> Res<R> {
                            let _c = site.call(&nc, Map::new());
                            let values = ($(self.$i.convert($a, &_c)?,)*);
                            body(&_c, values)
                        });
                    }
                    Some(keys) => {
                        reg.set_into_module(m, move |nc: NativeCallContext, $($a: <$A as Arg>::Rhai,)* options: Dynamic| -> Res<R> {
                            let mut c = site.call(&nc, Map::new());
                            let values = ($(self.$i.convert($a, &c)?,)*);
                            c.options = convert::options(&options, c.name, keys, c.pos)?;
                            body(&c, values)
                        });
                    }
                }
            }

            fn install_method<T: Variant, R: Variant>(
                self: Arc<Self>,
                m: &mut Module,
                at: Slot,
                body: MethodBody<T, Self::Values, R>,
            ) {
                let Slot { reg, site, .. } = at;
                reg.set_into_module(m, move |nc: NativeCallContext, this: &mut T, $($a: <$A as Arg>::Rhai),*| -> Res<R> {
                    let _c = site.call(&nc, Map::new());
                    let values = ($(self.$i.convert($a, &_c)?,)*);
                    body(&_c, this, values)
                });
            }
        }
    };
}

params!();
params!(A a 0);
params!(A a 0, B b 1);
params!(A a 0, B b 1, C c 2);
params!(A a 0, B b 1, C c 2, D d 3);
params!(A a 0, B b 1, C c 2, D d 3, E e 4);

/// A module of the API (`tickets`), or the global functions ([`Area::GLOBAL`]): where
/// declarations start.
#[derive(Clone, Copy)]
pub(crate) struct Area(Option<&'static str>);

impl Area {
    /// Functions called as `<name>::f(..)`.
    pub(crate) const fn module(name: &'static str) -> Self {
        Self(Some(name))
    }

    /// Functions called without a prefix (`now()`).
    pub(crate) const GLOBAL: Self = Self(None);

    /// Starts the declaration of `name`, described by the one line `doc`.
    pub(crate) fn func(self, name: &'static str, doc: &'static str) -> Decl<()> {
        Decl {
            module: self.0,
            name,
            doc,
            params: (),
            returns: "()",
            global: self.0.is_none(),
            options: None,
        }
    }
}

/// A declaration being built; it ends with [`Decl::read`], [`Decl::write`] (then `dry`,
/// `real`) or [`Decl::method`], each giving the [`ScriptFn`] entry.
pub(crate) struct Decl<P> {
    module: Option<&'static str>,
    name: &'static str,
    doc: &'static str,
    params: P,
    returns: &'static str,
    global: bool,
    options: Option<&'static [&'static str]>,
}

/// One entry of the API table, ready to be installed into a run's engine.
pub(crate) struct ScriptFn {
    /// `Some("tickets")`, or `None` for a global function.
    pub(crate) module: Option<&'static str>,
    install: Install,
}

impl ScriptFn {
    /// Adds the function, bound to the run `ctx`, to the module `m`.
    pub(crate) fn install(&self, m: &mut Module, ctx: &Arc<RunCtx>) {
        (self.install)(m, ctx);
    }
}

impl<P: Params> Decl<P> {
    /// The parameters, a tuple of [`Arg`]s in call order.
    pub(crate) fn params<Q: Params>(self, params: Q) -> Decl<Q> {
        Decl {
            module: self.module,
            name: self.name,
            doc: self.doc,
            params,
            returns: self.returns,
            global: self.global,
            options: self.options,
        }
    }

    /// The return type as the reference shows it (`"ticket: map"`, `"int"`); `()` by default.
    pub(crate) fn returns(mut self, returns: &'static str) -> Self {
        self.returns = returns;
        self
    }

    /// Also accepts a trailing options map with these keys (a second overload; any other key
    /// is refused). The body reads it from [`Call::options`].
    pub(crate) fn options(mut self, keys: &'static [&'static str]) -> Self {
        self.options = Some(keys);
        self
    }

    /// A function that writes nothing: `body` runs on every call, dry run or not.
    pub(crate) fn read<R, F>(self, body: F) -> ScriptFn
    where
        R: Variant,
        F: Fn(&Call, P::Values) -> Res<R> + Send + Sync + 'static,
    {
        let body: Body<P::Values, R> = Arc::new(body);
        self.entry(None, move |p, m, at| p.install(m, at, body.clone()))
    }

    /// A function that writes: `targets` names what the arguments would change (checked by
    /// the write guard before anything else happens); then [`WriteDecl::dry`] plans the
    /// change in a dry run and [`DryDecl::real`] makes it otherwise.
    pub(crate) fn write<T>(self, targets: T) -> WriteDecl<P, T>
    where
        T: Fn(&P::Values) -> Vec<WriteTarget> + Send + Sync + 'static,
    {
        WriteDecl {
            decl: self,
            targets,
        }
    }

    /// A method on values of type `T` (`q.len()`), shown with the receiver `this`
    /// (`"query: TicketQuery"`); always global.
    pub(crate) fn method<T, R, F>(mut self, this: &'static str, body: F) -> ScriptFn
    where
        T: Variant,
        R: Variant,
        F: Fn(&Call, &mut T, P::Values) -> Res<R> + Send + Sync + 'static,
    {
        let body: MethodBody<T, P::Values, R> = Arc::new(body);
        self.global = true;
        self.entry(Some(this), move |p, m, at| {
            p.install_method(m, at, body.clone());
        })
    }

    /// The entry: at each install, the registration and site of the overload (and of the
    /// options overload) handed to `install`.
    fn entry<I>(self, this: Option<&'static str>, install: I) -> ScriptFn
    where
        I: Fn(Arc<P>, &mut Module, Slot) + Send + Sync + 'static,
    {
        let module = self.module;
        let params = Arc::new(self.params);
        let name = full_name(module, self.name);
        let (fname, doc, returns, global, options) =
            (self.name, self.doc, self.returns, self.global, self.options);
        ScriptFn {
            module,
            install: Box::new(move |m, ctx| {
                let site = Site {
                    ctx: ctx.clone(),
                    name: name.clone(),
                };
                let mut infos: Vec<&str> = this.into_iter().chain(params.infos()).collect();
                infos.push(returns);
                let reg = registration(fname, global, &infos, doc.to_string());
                let at = Slot {
                    reg,
                    site: site.clone(),
                    options: None,
                };
                install(params.clone(), m, at);
                if let Some(keys) = options {
                    infos.insert(infos.len() - 1, "options: map");
                    let doc = format!("{doc} Options: {}.", keys.join(", "));
                    let reg = registration(fname, global, &infos, doc);
                    let at = Slot {
                        reg,
                        site,
                        options: Some(keys),
                    };
                    install(params.clone(), m, at);
                }
            }),
        }
    }
}

/// A write declaration waiting for its dry-run body.
pub(crate) struct WriteDecl<P, T> {
    decl: Decl<P>,
    targets: T,
}

impl<P: Params, T> WriteDecl<P, T>
where
    T: Fn(&P::Values) -> Vec<WriteTarget> + Send + Sync + 'static,
{
    /// What a dry run does instead of writing: read what it needs, plan the change
    /// (`c.plan(..)`) and return what HubSpot would have returned. Never a backend write.
    pub(crate) fn dry<R, D>(self, dry: D) -> DryDecl<P, T, D>
    where
        R: Variant,
        D: Fn(&Call, P::Values) -> Res<R> + Send + Sync + 'static,
    {
        DryDecl {
            decl: self.decl,
            targets: self.targets,
            dry,
        }
    }
}

/// A write declaration waiting for its real body.
pub(crate) struct DryDecl<P, T, D> {
    decl: Decl<P>,
    targets: T,
    dry: D,
}

impl<P: Params, T, D> DryDecl<P, T, D>
where
    T: Fn(&P::Values) -> Vec<WriteTarget> + Send + Sync + 'static,
{
    /// The write itself (outside a dry run), after the guard admitted it.
    pub(crate) fn real<R, F>(self, real: F) -> ScriptFn
    where
        R: Variant,
        D: Fn(&Call, P::Values) -> Res<R> + Send + Sync + 'static,
        F: Fn(&Call, P::Values) -> Res<R> + Send + Sync + 'static,
    {
        let (targets, dry) = (self.targets, self.dry);
        self.decl.read(move |c: &Call, values: P::Values| {
            c.admit_write(c.pos, c.name, &targets(&values))?;
            if c.dry_run() {
                dry(c, values)
            } else {
                real(c, values)
            }
        })
    }
}

fn full_name(module: Option<&str>, name: &str) -> Arc<str> {
    match module {
        Some(m) => format!("{m}::{name}").into(),
        None => name.into(),
    }
}

/// The Rhai registration of one overload: volatile (never evaluated at compile time), with
/// its parameter info (the last entry being the return type) and its one-line doc.
fn registration(name: &str, global: bool, infos: &[&str], doc: String) -> FuncRegistration {
    FuncRegistration::new(name)
        .with_namespace(if global {
            FnNamespace::Global
        } else {
            FnNamespace::Internal
        })
        .with_volatility(true)
        .with_params_info(infos)
        .with_comments([format!("/// {doc}")])
}

#[cfg(test)]
#[path = "declare_tests.rs"]
mod tests;

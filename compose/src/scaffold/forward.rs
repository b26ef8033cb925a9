//! The Rust of a pass-through layer: an `impl` of the exported interface whose every
//! function calls the same function of the imported one, with the conversions
//! wit-bindgen's two copies of the interface's own types need (records, variants,
//! enums and flags are generated once per side; resources are wrapped).
//!
//! The rules for how wit-bindgen (0.63, `Ownership::Owning`) writes parameters are
//! followed here: an export takes everything owned (a borrowed handle as
//! `NameBorrow<'_>`); a synchronous import takes a value that holds a string or list
//! and no owned handle by reference at its top (`&str`, `&[T]`, `&Record`,
//! `Option<&str>`), anything else owned; an async import takes everything owned.

use super::ScaffoldError;
use std::collections::BTreeSet;
use std::fmt::Write;
use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
};

/// Which way a value crosses the layer.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Way {
    /// From the layer's caller to the next component (a parameter).
    In,
    /// From the next component back to the caller (a result).
    Out,
}

impl Way {
    fn prefix(self) -> &'static str {
        match self {
            Way::In => "inward",
            Way::Out => "outward",
        }
    }

    /// The side a value of this way comes from, and the one it goes to.
    fn sides(self) -> (Side, Side) {
        match self {
            Way::In => (Side::Exp, Side::Imp),
            Way::Out => (Side::Imp, Side::Exp),
        }
    }
}

/// wit-bindgen's two copies of an interface: the one the layer exports (to its caller)
/// and the one it imports (the next component).
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Exp,
    Imp,
}

impl Side {
    fn prefix(self) -> &'static str {
        match self {
            Side::Exp => "exp",
            Side::Imp => "imp",
        }
    }

    fn said(self) -> &'static str {
        match self {
            Side::Exp => "caller's",
            Side::Imp => "next component's",
        }
    }
}

/// Writes the forwarding code for one interface, or several of one package.
pub struct Forward<'a> {
    resolve: &'a Resolve,
    ifaces: Vec<InterfaceId>,
    /// The interface's own named types that need a converter, and which way.
    wanted: BTreeSet<(TypeId, Way)>,
    /// A counter for the names of bound variables.
    fresh: usize,
}

impl<'a> Forward<'a> {
    /// A writer for `ifaces` of `resolve`.
    pub fn new(resolve: &'a Resolve, ifaces: Vec<InterfaceId>) -> Self {
        Forward {
            resolve,
            ifaces,
            wanted: BTreeSet::new(),
            fresh: 0,
        }
    }

    /// The module of `iface` on `side`: `exp`/`imp` for one interface, `exp_NAME`/
    /// `imp_NAME` for several.
    fn module(&self, iface: InterfaceId, side: Side) -> String {
        if self.ifaces.len() == 1 {
            return side.prefix().to_string();
        }
        let name = self.resolve.interfaces[iface]
            .name
            .as_deref()
            .unwrap_or("?");
        format!("{}_{}", side.prefix(), snake(name))
    }

    /// The `use` lines of the modules [`Forward::module`] names, given each interface's
    /// Rust path.
    pub fn uses(&self, path: impl Fn(InterfaceId) -> String) -> String {
        let mut out = String::new();
        for &i in &self.ifaces {
            for (side, prefix) in [(Side::Exp, "exports::"), (Side::Imp, "")] {
                let module = self.module(i, side);
                writeln!(
                    out,
                    "#[allow(unused_imports)]\nuse {prefix}{} as {module};",
                    path(i)
                )
                .unwrap();
            }
        }
        out
    }

    /// The Rust that follows the `generate!` line and the [`Forward::uses`].
    pub fn code(mut self) -> Result<String, ScaffoldError> {
        let mut names = BTreeSet::new();
        for &i in &self.ifaces {
            let name = self.resolve.interfaces[i].name.clone().unwrap_or_default();
            if !names.insert(name.clone()) {
                return Err(unsupported(&name, "a name two of the interfaces share"));
            }
        }
        let mut out = String::from(
            "/// The layer: every call goes on to the next component on the edge, unchanged.\n\
             struct Forward;\n",
        );
        let mut structs = BTreeSet::new();
        for &i in &self.ifaces.clone() {
            let iface = &self.resolve.interfaces[i];
            let own: Vec<TypeId> = iface
                .types
                .values()
                .copied()
                .filter(|t| matches!(self.resolve.types[*t].kind, TypeDefKind::Resource))
                .collect();
            let functions: Vec<Function> = iface.functions.values().cloned().collect();
            let (exp, imp) = (self.module(i, Side::Exp), self.module(i, Side::Imp));
            write!(out, "\nimpl {exp}::Guest for Forward {{\n").unwrap();
            for r in &own {
                let name = camel(self.name_of(*r));
                if !structs.insert(name.clone()) {
                    return Err(unsupported(
                        self.name_of(*r),
                        "a resource name two of the interfaces share",
                    ));
                }
                writeln!(out, "    type {name} = {name};").unwrap();
            }
            for f in functions.iter().filter(|f| resource_of(f).is_none()) {
                out.push_str(&self.function(f, &format!("{imp}::"), None)?);
            }
            out.push_str("}\n");
            for r in &own {
                let wit = self.name_of(*r).to_string();
                let name = camel(&wit);
                write!(
                    out,
                    "\n/// A `{wit}` of this layer: the next component's, each call passed on.\n\
                     pub struct {name}({imp}::{name});\n\nimpl {exp}::Guest{name} for {name} {{\n"
                )
                .unwrap();
                for f in functions.iter().filter(|f| resource_of(f) == Some(*r)) {
                    out.push_str(&self.function(f, &format!("{imp}::{name}::"), Some(&name))?);
                }
                out.push_str("}\n");
            }
        }
        let mut written = BTreeSet::new();
        while let Some(next) = self.wanted.iter().find(|w| !written.contains(*w)).copied() {
            written.insert(next);
            out.push_str(&self.converter(next.0, next.1)?);
        }
        out.push_str("\nexport!(Forward);\n");
        Ok(out)
    }

    /// One function of the export: its signature and the call it forwards to.
    fn function(
        &mut self,
        f: &Function,
        callee: &str,
        resource: Option<&str>,
    ) -> Result<String, ScaffoldError> {
        let is_async = f.kind.is_async();
        let (method, constructor) = match f.kind {
            FunctionKind::Method(_) | FunctionKind::AsyncMethod(_) => (true, false),
            FunctionKind::Constructor(_) => (false, true),
            _ => (false, false),
        };
        let rust_name = if constructor {
            "new".to_string()
        } else {
            ident(f.item_name())
        };
        let params = if method {
            &f.params[1..]
        } else {
            &f.params[..]
        };
        let mut signature = Vec::new();
        let mut args = Vec::new();
        if method {
            signature.push("&self".to_string());
        }
        for p in params {
            let name = ident(&p.name);
            signature.push(format!("{name}: {}", self.export_type(&p.ty, &f.name)?));
            let value = self.convert(&p.ty, &name, Way::In, &f.name)?;
            args.push(self.lend(&p.ty, value, is_async));
        }
        let call = match (method, is_async) {
            (true, false) => format!("self.0.{rust_name}({})", args.join(", ")),
            (true, true) => format!("self.0.{rust_name}({}).await", args.join(", ")),
            (false, false) => format!("{callee}{rust_name}({})", args.join(", ")),
            (false, true) => format!("{callee}{rust_name}({}).await", args.join(", ")),
        };
        let (result, body) = if constructor {
            let name = resource.unwrap_or("Self");
            match &f.result {
                Some(Type::Id(id))
                    if matches!(self.resolve.types[*id].kind, TypeDefKind::Result(_)) =>
                {
                    let TypeDefKind::Result(r) = &self.resolve.types[*id].kind else {
                        unreachable!()
                    };
                    let err = match &r.err {
                        Some(e) => {
                            let converted = self.convert(e, "e", Way::Out, &f.name)?;
                            format!(".map_err(|e| {converted})")
                        }
                        None => String::new(),
                    };
                    let err_ty = match &r.err {
                        Some(e) => self.export_type(e, &f.name)?,
                        None => "()".into(),
                    };
                    (
                        format!("Result<Self, {err_ty}>"),
                        format!("{call}.map({name}){err}"),
                    )
                }
                _ => ("Self".to_string(), format!("{name}({call})")),
            }
        } else {
            match &f.result {
                None => ("()".to_string(), call),
                Some(ty) => (
                    self.export_type(ty, &f.name)?,
                    self.convert(ty, &call, Way::Out, &f.name)?,
                ),
            }
        };
        let asyncness = if is_async { "async " } else { "" };
        let where_sized = if constructor && result.starts_with("Result") {
            " where Self: Sized"
        } else {
            ""
        };
        let arrow = if result == "()" {
            String::new()
        } else {
            format!(" -> {result}")
        };
        Ok(format!(
            "    {asyncness}fn {rust_name}({}){arrow}{where_sized} {{\n        {body}\n    }}\n",
            signature.join(", ")
        ))
    }

    /// A named type's WIT name.
    fn name_of(&self, id: TypeId) -> &str {
        self.resolve.types[id].name.as_deref().unwrap_or("?")
    }

    /// The forwarded interface `id` belongs to, if any.
    fn owner(&self, id: TypeId) -> Option<InterfaceId> {
        match self.resolve.types[id].owner {
            TypeOwner::Interface(i) if self.ifaces.contains(&i) => Some(i),
            _ => None,
        }
    }

    /// Whether `id` belongs to an interface being forwarded.
    fn own(&self, id: TypeId) -> bool {
        self.owner(id).is_some()
    }

    /// The path of named type `id` (of a forwarded interface) on `side`.
    fn path(&self, id: TypeId, side: Side) -> String {
        let owner = self
            .owner(id)
            .expect("named types in signatures belong to a forwarded interface");
        format!("{}::{}", self.module(owner, side), camel(self.name_of(id)))
    }

    /// Follows `type x = y` aliases of this interface to what they name.
    fn dealias(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    /// Whether a value of `ty` differs between the two sides' bindings.
    fn differs(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        let def = &self.resolve.types[*id];
        if def.name.is_some() && !self.own(*id) {
            return false; // another interface's type: one Rust type for both sides
        }
        match &def.kind {
            TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource => true,
            TypeDefKind::Type(t) | TypeDefKind::Option(t) | TypeDefKind::List(t) => self.differs(t),
            TypeDefKind::FixedLengthList(t, _) => self.differs(t),
            TypeDefKind::Map(k, v) => self.differs(k) || self.differs(v),
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => self.own(self.dealias(*r)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.differs(t)),
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(|t| self.differs(t)),
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().any(|t| self.differs(t)),
            TypeDefKind::Unknown => false,
        }
    }

    /// The Rust type an export's parameter or result has.
    fn export_type(&self, ty: &Type, func: &str) -> Result<String, ScaffoldError> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char".into(),
            Type::String => "String".into(),
            Type::ErrorContext => "wit_bindgen::ErrorContext".into(),
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                if def.name.is_some() {
                    return Ok(self.path(*id, Side::Exp));
                }
                let inner = |t: &Type| self.export_type(t, func);
                let optional = |t: &Option<Type>| t.as_ref().map_or(Ok("()".to_string()), inner);
                match &def.kind {
                    TypeDefKind::List(t) => format!("Vec<{}>", inner(t)?),
                    TypeDefKind::Option(t) => format!("Option<{}>", inner(t)?),
                    TypeDefKind::Result(r) => {
                        format!("Result<{}, {}>", optional(&r.ok)?, optional(&r.err)?)
                    }
                    TypeDefKind::Tuple(t) => {
                        let parts: Result<Vec<String>, _> = t.types.iter().map(inner).collect();
                        format!("({},)", parts?.join(", "))
                    }
                    TypeDefKind::Handle(Handle::Own(r)) => self.path(*r, Side::Exp),
                    TypeDefKind::Handle(Handle::Borrow(r)) => {
                        let defined = self.dealias(*r);
                        if self.own(defined) {
                            format!("{}Borrow<'_>", self.path(defined, Side::Exp))
                        } else {
                            format!("&{}", self.path(*r, Side::Exp))
                        }
                    }
                    TypeDefKind::Future(t) => {
                        format!("wit_bindgen::FutureReader<{}>", optional(t)?)
                    }
                    TypeDefKind::Stream(t) => {
                        format!("wit_bindgen::StreamReader<{}>", optional(t)?)
                    }
                    _ => return Err(unsupported(func, "a map or fixed-length list")),
                }
            }
        })
    }

    /// An expression that turns `expr`, a value of `ty` on the `way.modules().0` side,
    /// into the same value on the other side.
    fn convert(
        &mut self,
        ty: &Type,
        expr: &str,
        way: Way,
        func: &str,
    ) -> Result<String, ScaffoldError> {
        if !self.differs(ty) {
            return Ok(expr.to_string());
        }
        let Type::Id(id) = ty else {
            unreachable!("only named and composite types differ")
        };
        let id = *id;
        let def = &self.resolve.types[id];
        let v = self.bind();
        Ok(match &def.kind {
            TypeDefKind::Type(t) => return self.convert(t, expr, way, func),
            TypeDefKind::Record(_) | TypeDefKind::Variant(_) | TypeDefKind::Enum(_) | TypeDefKind::Flags(_) => {
                self.wanted.insert((id, way));
                format!("{}({expr})", self.converter_name(id, way))
            }
            TypeDefKind::Resource => self.handle(id, expr, way),
            TypeDefKind::Handle(Handle::Own(r)) => self.handle(self.dealias(*r), expr, way),
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                if way == Way::Out {
                    return Err(unsupported(func, "a borrowed handle in a result"));
                }
                let name = camel(self.name_of(self.dealias(*r)));
                format!("&{expr}.get::<{name}>().0")
            }
            TypeDefKind::Option(t) => {
                let t = *t;
                format!("{expr}.map(|{v}| {})", self.convert(&t, &v, way, func)?)
            }
            TypeDefKind::List(t) => {
                let t = *t;
                format!("{expr}.into_iter().map(|{v}| {}).collect::<Vec<_>>()", self.convert(&t, &v, way, func)?)
            }
            TypeDefKind::Result(r) => {
                let (ok, err) = (r.ok, r.err);
                let mut out = expr.to_string();
                if let Some(ok) = ok.filter(|t| self.differs(t)) {
                    write!(out, ".map(|{v}| {})", self.convert(&ok, &v, way, func)?).unwrap();
                }
                if let Some(err) = err.filter(|t| self.differs(t)) {
                    write!(out, ".map_err(|{v}| {})", self.convert(&err, &v, way, func)?).unwrap();
                }
                out
            }
            TypeDefKind::Tuple(t) => {
                let types = t.types.clone();
                let names: Vec<String> = (0..types.len()).map(|i| format!("{v}_{i}")).collect();
                let mut parts = Vec::new();
                for (t, n) in types.iter().zip(&names) {
                    parts.push(self.convert(t, n, way, func)?);
                }
                format!("{{ let ({},) = {expr}; ({},) }}", names.join(", "), parts.join(", "))
            }
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                return Err(unsupported(
                    func,
                    "a stream or future of the interface's own types (each item would have to be copied across)",
                ))
            }
            _ => return Err(unsupported(func, "a map or fixed-length list of the interface's own types")),
        })
    }

    /// Converts an owned handle of this interface's resource `r`.
    fn handle(&self, r: TypeId, expr: &str, way: Way) -> String {
        let name = camel(self.name_of(r));
        match way {
            Way::In => format!("{expr}.into_inner::<{name}>().0"),
            Way::Out => format!("{}::new({name}({expr}))", self.path(r, Side::Exp)),
        }
    }

    /// A name for a bound variable.
    fn bind(&mut self) -> String {
        self.fresh += 1;
        format!("v{}", self.fresh)
    }

    /// The argument an import takes for `value` (already converted) of `ty`.
    fn lend(&self, ty: &Type, value: String, is_async: bool) -> String {
        let info = self.info(ty);
        if is_async || info.own_handle || info.borrow_handle || !info.list {
            return value;
        }
        match ty {
            Type::String => format!("&{value}"),
            Type::Id(id) if self.resolve.types[*id].name.is_some() => format!("&{value}"),
            Type::Id(id) if matches!(self.resolve.types[*id].kind, TypeDefKind::List(_)) => {
                format!("&{value}")
            }
            _ => self.lend_ref(ty, &format!("(&{value})")),
        }
    }

    /// From `r`, a reference to a value of `ty`, the form wit-bindgen gives a value
    /// inside an import argument borrowed at its top.
    fn lend_ref(&self, ty: &Type, r: &str) -> String {
        match ty {
            Type::String => format!("{r}.as_str()"),
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                if def.name.is_some() {
                    return r.to_string();
                }
                match &def.kind {
                    TypeDefKind::List(_) => format!("{r}.as_slice()"),
                    TypeDefKind::Option(t) => {
                        format!("{r}.as_ref().map(|x| {})", self.lend_ref(t, "x"))
                    }
                    TypeDefKind::Result(res) => {
                        let side = |t: &Option<Type>| match t {
                            Some(t) => self.lend_ref(t, "x"),
                            None => "()".to_string(),
                        };
                        format!(
                            "{r}.as_ref().map(|x| {}).map_err(|x| {})",
                            side(&res.ok),
                            side(&res.err)
                        )
                    }
                    TypeDefKind::Tuple(t) => {
                        let names: Vec<String> =
                            (0..t.types.len()).map(|i| format!("x{i}")).collect();
                        let parts: Vec<String> = t
                            .types
                            .iter()
                            .zip(&names)
                            .map(|(t, n)| self.lend_ref(t, n))
                            .collect();
                        format!(
                            "{{ let ({},) = {r}; ({},) }}",
                            names.join(", "),
                            parts.join(", ")
                        )
                    }
                    _ => format!("*{r}"),
                }
            }
            _ => format!("*{r}"),
        }
    }

    /// What a type holds, as wit-bindgen's type info has it.
    fn info(&self, ty: &Type) -> Info {
        let Type::Id(id) = ty else {
            return Info {
                list: matches!(ty, Type::String),
                ..Info::default()
            };
        };
        let both = |a: Info, b: Info| Info {
            list: a.list || b.list,
            own_handle: a.own_handle || b.own_handle,
            borrow_handle: a.borrow_handle || b.borrow_handle,
        };
        let many = |types: &mut dyn Iterator<Item = &Type>| {
            types.fold(Info::default(), |acc, t| both(acc, self.info(t)))
        };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Record(r) => many(&mut r.fields.iter().map(|f| &f.ty)),
            TypeDefKind::Variant(v) => many(&mut v.cases.iter().filter_map(|c| c.ty.as_ref())),
            TypeDefKind::Tuple(t) => many(&mut t.types.iter()),
            TypeDefKind::Result(r) => many(&mut r.ok.iter().chain(&r.err)),
            TypeDefKind::Option(t) | TypeDefKind::Type(t) => self.info(t),
            TypeDefKind::List(t) | TypeDefKind::FixedLengthList(t, _) => Info {
                list: true,
                ..self.info(t)
            },
            TypeDefKind::Map(k, v) => Info {
                list: true,
                ..both(self.info(k), self.info(v))
            },
            TypeDefKind::Resource | TypeDefKind::Handle(Handle::Own(_)) => Info {
                own_handle: true,
                ..Info::default()
            },
            TypeDefKind::Handle(Handle::Borrow(_)) => Info {
                borrow_handle: true,
                ..Info::default()
            },
            _ => Info::default(),
        }
    }

    /// The function that converts this interface's named type `id` one way.
    fn converter(&mut self, id: TypeId, way: Way) -> Result<String, ScaffoldError> {
        let wit = self.name_of(id).to_string();
        let (from_side, to_side) = way.sides();
        let (from, to) = (self.path(id, from_side), self.path(id, to_side));
        let func = format!("type {wit}");
        let kind = self.resolve.types[id].kind.clone();
        let body = match &kind {
            TypeDefKind::Record(r) => {
                let mut fields = Vec::new();
                for f in &r.fields {
                    let field = ident(&f.name);
                    fields.push(format!(
                        "{field}: {}",
                        self.convert(&f.ty, &format!("value.{field}"), way, &func)?
                    ));
                }
                format!("{to} {{ {} }}", fields.join(", "))
            }
            TypeDefKind::Variant(v) => {
                let mut arms = Vec::new();
                for c in &v.cases {
                    let case = camel(&c.name);
                    arms.push(match &c.ty {
                        Some(t) => format!(
                            "{from}::{case}(x) => {to}::{case}({}),",
                            self.convert(t, "x", way, &func)?
                        ),
                        None => format!("{from}::{case} => {to}::{case},"),
                    });
                }
                format!(
                    "match value {{\n        {}\n    }}",
                    arms.join("\n        ")
                )
            }
            TypeDefKind::Enum(e) => {
                let arms: Vec<String> = e
                    .cases
                    .iter()
                    .map(|c| {
                        let case = camel(&c.name);
                        format!("{from}::{case} => {to}::{case},")
                    })
                    .collect();
                format!(
                    "match value {{\n        {}\n    }}",
                    arms.join("\n        ")
                )
            }
            TypeDefKind::Flags(_) => format!("{to}::from_bits_retain(value.bits())"),
            _ => unreachable!("converters are made for records, variants, enums and flags"),
        };
        Ok(format!(
            "\n/// `{wit}` from the {} side to the {} side.\nfn {}(value: {from}) -> {to} {{\n    {body}\n}}\n",
            from_side.said(),
            to_side.said(),
            self.converter_name(id, way)
        ))
    }

    /// The name of the function converting named type `id` one way.
    fn converter_name(&self, id: TypeId, way: Way) -> String {
        let ty = snake(self.name_of(id));
        match (self.ifaces.len(), self.owner(id)) {
            (1, _) | (_, None) => format!("{}_{ty}", way.prefix()),
            (_, Some(owner)) => {
                let iface = self.resolve.interfaces[owner]
                    .name
                    .as_deref()
                    .unwrap_or("?");
                format!("{}_{}_{ty}", way.prefix(), snake(iface))
            }
        }
    }
}

/// What a type holds (the parts of wit-bindgen's type info that decide how an import
/// takes it).
#[derive(Default, Clone, Copy)]
struct Info {
    list: bool,
    own_handle: bool,
    borrow_handle: bool,
}

/// The resource a function belongs to, if it is a method, static or constructor.
fn resource_of(f: &Function) -> Option<TypeId> {
    match f.kind {
        FunctionKind::Method(r)
        | FunctionKind::AsyncMethod(r)
        | FunctionKind::Static(r)
        | FunctionKind::AsyncStatic(r)
        | FunctionKind::Constructor(r) => Some(r),
        FunctionKind::Freestanding | FunctionKind::AsyncFreestanding => None,
    }
}

fn unsupported(func: &str, what: &str) -> ScaffoldError {
    ScaffoldError::Unsupported {
        function: func.to_string(),
        what: what.to_string(),
    }
}

/// `kebab-name` as wit-bindgen names a type or case: `KebabName` (`guest` is `Guest_`).
pub fn camel(name: &str) -> String {
    if name == "guest" {
        return "Guest_".into();
    }
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect()
}

/// `kebab-name` as snake case.
pub fn snake(name: &str) -> String {
    name.split('-')
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// `kebab-name` as wit-bindgen names a function, parameter or field (keywords get `_`).
pub fn ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        snake(name)
    }
}

//! A function's summary: what it does to the session and to authentication, as a caller in
//! another module sees it. The rules compute it (`rules::login_without_regeneration::summarize`),
//! the helper summaries of the check carry it to the callers' files (and the summary cache
//! stores it as bits), and the semantic layer turns a call to the function into
//! `Event::Helper` with it.

use crate::frameworks::Framework;

/// What a function does, seen from a caller in another module: used as its summary there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// It authenticates on some path (a credential check, a login helper).
    pub authenticates: bool,
    /// It leaves an identity written into the session without regenerating it after.
    pub writes_identity: Option<Framework>,
    /// It leaves a privilege (a step-up, a verified second factor: what SID002 reports
    /// within one function) written into the session without regenerating it after.
    pub writes_privilege: Option<Framework>,
    /// It leaves the login ended by removing or nulling the identity keys (a logout's
    /// helper: `session["user_id"] = None`) without erasing the session or rotating its ID.
    pub ends_login: Option<Framework>,
    /// On every normal exit the session ID was rotated / the data reset.
    pub rotates: bool,
    pub resets: bool,
    /// It leaves its argument number `.0` (positional, as a caller passes it: a method's
    /// `self` not counted) written into the session under a key that names nothing else
    /// (`def set(self, bp, token): flask.session[self.key] = token`), without regenerating
    /// after: an identity write where a caller hands it the principal or a verified token.
    /// Only when it writes no identity of its own (that is reported at every call anyway),
    /// and for the first seven arguments.
    pub stores_arg: Option<(u8, Framework)>,
}

impl Summary {
    /// It leaves identity or privilege written, or a login ended (a caller's function that
    /// calls it matters).
    pub fn writes(&self) -> bool {
        self.writes_identity.is_some()
            || self.writes_privilege.is_some()
            || self.ends_login.is_some()
            || self.stores_arg.is_some()
    }

    /// The summary as seen at a call whose argument `stores_arg` names is the principal or a
    /// verified token (`is_identity`): then it writes identity there.
    pub fn at_call(mut self, is_identity: impl FnOnce(u8) -> bool) -> Summary {
        if let Some((i, f)) = self.stores_arg {
            if is_identity(i) {
                self.writes_identity = Some(f);
                self.stores_arg = None;
            }
        }
        self
    }

    /// The summary as the summary cache stores it: three flags and the three frameworks (plus
    /// one each: identity in bits 8-15, privilege in bits 16-23, an ended login in 24-31).
    /// A stored argument (`stores_arg`, only without an identity written) has its index plus
    /// one in bits 3-5 and its framework where the identity's would be.
    pub fn to_bits(self) -> u32 {
        let (arg, identity) = match (self.writes_identity, self.stores_arg) {
            (None, Some((i, f))) if i < 7 => (u32::from(i) + 1, Some(f)),
            (w, _) => (0, w),
        };
        u32::from(self.authenticates)
            | u32::from(self.rotates) << 1
            | u32::from(self.resets) << 2
            | arg << 3
            | identity.map_or(0, |f| f as u32 + 1) << 8
            | self.writes_privilege.map_or(0, |f| f as u32 + 1) << 16
            | self.ends_login.map_or(0, |f| f as u32 + 1) << 24
    }

    /// The summary `to_bits` made; `None` for bits it cannot have made.
    pub fn from_bits(bits: u32) -> Option<Summary> {
        if bits & !0xffff_ff3f != 0 {
            return None;
        }
        let framework = |k: u32| match k {
            0 => Some(None),
            k => Framework::ALL.get(k as usize - 1).map(|f| Some(*f)),
        };
        let identity = framework((bits >> 8) & 0xff)?;
        let (writes_identity, stores_arg) = match (bits >> 3) & 7 {
            0 => (identity, None),
            arg => (None, Some((arg as u8 - 1, identity?))),
        };
        Some(Summary {
            authenticates: bits & 1 != 0,
            rotates: bits & 2 != 0,
            resets: bits & 4 != 0,
            writes_identity,
            stores_arg,
            writes_privilege: framework((bits >> 16) & 0xff)?,
            ends_login: framework((bits >> 24) & 0xff)?,
        })
    }
}

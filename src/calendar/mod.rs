//! Calendars and time zones for service levels: day and week arithmetic on epoch milliseconds
//! in an IANA zone ([`zoned`]), working hours per weekday ([`WeekHours`]), and business
//! calendars ([`BusinessCalendar`]: hours in a zone minus holidays) with the arithmetic SLA
//! rules need: working time between two instants, an instant plus working time, whether an
//! instant is in working hours, business days. Declared in TOML ([`CalendarSpec`]).
//!
//! Pure logic with no Rhai: the script layer registers these as script functions; the only
//! I/O is reading a calendar file.

mod business;
mod hours;
mod spec;
pub mod zoned;

pub use business::{BusinessCalendar, BusinessError, Holiday, MAX_SCAN_DAYS};
pub use hours::{Span, WeekHours};
pub use spec::CalendarSpec;
pub use zoned::ZoneError;

//! HubSpot's numeric limits on one request: page sizes, batch sizes, search filter and result
//! caps, string lengths. Every layer that enforces or works around a limit (the client's
//! cursors and batching, the sandbox's validation, the script layer's search forms) reads it
//! from here, so a limit is written once (TICKETS_API.md §3-§5).

use std::time::Duration;

/// Inputs per batch request (`/batch/create`, `/batch/update`, `/batch/read`, ...). Stated for
/// contacts by the docs; assumed the same for tickets (unconfirmed).
pub const MAX_BATCH_INPUTS: usize = 100;
/// Inputs per batch read when `propertiesWithHistory` is asked for (SDK constant).
pub const MAX_BATCH_INPUTS_WITH_HISTORY: usize = 50;
/// Largest list page (`GET /crm/v3/objects/tickets?limit=`).
pub const LIST_PAGE_MAX: u32 = 100;
/// Largest list page when `propertiesWithHistory` is asked for.
pub const LIST_PAGE_MAX_WITH_HISTORY: u32 = 50;
/// Page size of a list or a search that names none.
pub const DEFAULT_PAGE_SIZE: u32 = 10;
/// Largest search page.
pub const SEARCH_PAGE_MAX: u32 = 200;
/// How far HubSpot pages one search query: `after + limit` beyond this is a 400.
pub const SEARCH_RESULT_CAP: usize = 10_000;
/// Filter groups per search (top-level `filters` count as one more group).
pub const MAX_FILTER_GROUPS: usize = 5;
/// Filters per filter group.
pub const MAX_FILTERS_PER_GROUP: usize = 6;
/// Filters over all groups of one search.
pub const MAX_FILTERS_TOTAL: usize = 18;
/// Values in one `IN` or `NOT_IN` search filter. HubSpot's documents give no figure that we
/// could find (unconfirmed); 100 is our choice, HubSpot's usual cap on a list in one request
/// (page size, batch inputs), and it keeps SQLite far below its limit on bound parameters.
pub const MAX_FILTER_VALUES: usize = 100;
/// Longest search `query`, in characters.
pub const MAX_SEARCH_QUERY_CHARS: usize = 3_000;
/// Largest page of an association listing (v3 and v4).
pub const ASSOCIATION_PAGE_MAX: u32 = 500;
/// Merges a record may take part in; the next one is refused (414).
pub const MAX_MERGES: usize = 250;
/// Requests a private app may send per [`BURST_WINDOW`] on the Free and Starter tiers (190 on
/// Professional/Enterprise, 250 with the API Limit Increase add-on); search is not counted.
pub const BURST_REQUESTS: u32 = 100;
/// HubSpot's rolling burst window (`X-HubSpot-RateLimit-Interval-Milliseconds: 10000`).
pub const BURST_WINDOW: Duration = Duration::from_secs(10);
/// Search requests an account may send per [`SEARCH_WINDOW`].
pub const SEARCH_REQUESTS: u32 = 5;
/// The search limit's window.
pub const SEARCH_WINDOW: Duration = Duration::from_secs(1);
/// Longest value of a `string` property, in characters (HubSpot's documented 65,536).
pub const MAX_STRING_CHARS: usize = 65_536;

/// Default page size of `GET /crm/v3/owners`.
pub const OWNERS_PAGE_DEFAULT: u32 = 100;
/// Largest page of `GET /crm/v3/owners?limit=` (HubSpot's documented maximum).
pub const OWNERS_PAGE_MAX: u32 = 500;

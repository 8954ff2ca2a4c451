//! Running queries and scans: reading until a page is full, and the cursor after it.

use serde_dynamo::Item;

use super::cursor::{self, CursorKeys, Fingerprint, Scope};
use super::{Query, Scan, checked_limit, live_of_types};
use crate::backend::{Backend, QueryRequest, ScanRequest, Segment};
use crate::key::attr;
use crate::{Error, Key};

/// What every read needs from the table.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    pub(crate) backend: &'a dyn Backend,
    pub(crate) keys: &'a CursorKeys,
    /// Now, in epoch seconds: items whose `ttl` is not after it are skipped.
    pub(crate) now: u64,
}

/// A backend read that can be repeated from where it stopped.
enum Request {
    Query(QueryRequest),
    Scan(ScanRequest),
}

impl Request {
    async fn send(
        &self,
        backend: &dyn Backend,
        limit: usize,
    ) -> Result<(Vec<Item>, Option<Item>), Error> {
        let output = match self {
            Self::Query(request) => {
                backend
                    .query(QueryRequest {
                        limit,
                        ..request.clone()
                    })
                    .await?
            }
            Self::Scan(request) => {
                backend
                    .scan(ScanRequest {
                        limit,
                        ..request.clone()
                    })
                    .await?
            }
        };
        Ok((output.items, output.last_evaluated_key))
    }

    fn resume_after(&mut self, position: Item) -> Result<(), Error> {
        match self {
            Self::Query(request) => request.exclusive_start = Some(position),
            Self::Scan(request) => request.exclusive_start = Some(Key::from_item(&position)?),
        }
        Ok(())
    }

    fn index(&self) -> Option<&str> {
        match self {
            Self::Query(request) => request.index.as_deref(),
            Self::Scan(_) => None,
        }
    }
}

/// One page of items of the given types, and the cursor after it.
pub(crate) async fn run_query(
    reader: Reader<'_>,
    query: Query,
    types: &[&str],
) -> Result<(Vec<Item>, Option<String>), Error> {
    let limit = checked_limit(query.limit)?;
    let scope = Scope {
        types,
        index: query.index.as_deref(),
        pk: Some(&query.pk),
        sk: query.sk.as_ref(),
        forward: query.forward,
        segment: None,
    };
    let fingerprint = Fingerprint::of(&scope);

    let mut request = QueryRequest::new(query.pk.clone(), 1);
    request.sk = query.sk.clone();
    request.index = query.index.clone();
    request.forward = query.forward;
    request.consistent_read = query.consistent_read;
    request.filter = Some(with_user_filter(
        live_of_types(types, reader.now),
        query.filter,
    ));
    request.projection = query
        .projection
        .map(|names| with_key_attributes(names, query.index.as_deref()));
    if let Some(cursor) = &query.after {
        let start = cursor::decode(reader.keys, cursor, fingerprint)?;
        if !request.contains(&start) {
            return Err(Error::validation(
                "the cursor points outside the queried range",
            ));
        }
        request.exclusive_start = Some(start);
    }
    page(reader, Request::Query(request), limit, fingerprint).await
}

/// One page of a scan for items of the given types, and the cursor after it.
pub(crate) async fn run_scan(
    reader: Reader<'_>,
    scan: Scan,
    types: &[&str],
) -> Result<(Vec<Item>, Option<String>), Error> {
    let limit = checked_limit(scan.limit)?;
    let scope = Scope {
        types,
        index: None,
        pk: None,
        sk: None,
        forward: true,
        segment: scan.segment,
    };
    let fingerprint = Fingerprint::of(&scope);

    let mut request = ScanRequest::new(1);
    request.segment = scan.segment.map(|(index, total)| Segment { index, total });
    request.filter = Some(with_user_filter(
        live_of_types(types, reader.now),
        scan.filter,
    ));
    if let Some(cursor) = &scan.after {
        let start = cursor::decode(reader.keys, cursor, fingerprint)?;
        request.exclusive_start = Some(Key::from_item(&start)?);
    }
    page(reader, Request::Scan(request), limit, fingerprint).await
}

fn with_user_filter(base: crate::Condition, user: Option<crate::Condition>) -> crate::Condition {
    match user {
        Some(user) => base.and(user),
        None => base,
    }
}

/// The projection plus what typed reads and cursors need.
fn with_key_attributes(mut names: Vec<String>, index: Option<&str>) -> Vec<String> {
    let index_keys = index
        .into_iter()
        .flat_map(|index| [attr::index_pk(index), attr::index_sk(index)]);
    let needed = [
        attr::PK.to_owned(),
        attr::SK.to_owned(),
        attr::TYPE.to_owned(),
    ];
    for name in needed.into_iter().chain(index_keys) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Reads one item more than the page size, so that the cursor is present exactly when a
/// next page exists.
async fn page(
    reader: Reader<'_>,
    request: Request,
    limit: usize,
    fingerprint: Fingerprint,
) -> Result<(Vec<Item>, Option<String>), Error> {
    let index = request.index().map(str::to_owned);
    let mut items = collect(reader.backend, request, limit + 1).await?;
    let more = items.len() > limit;
    items.truncate(limit);

    let next_cursor = match items.last() {
        Some(last) if more => Some(cursor::encode(
            reader.keys,
            fingerprint,
            &position_of(last, index.as_deref())?,
        )?),
        _ => None,
    };
    Ok((items, next_cursor))
}

/// Reads until `wanted` items passed the filter or the range is exhausted.
///
/// The backend applies its limit before the filter (as DynamoDB does), so a round may return
/// fewer items than asked even though more remain; the loop asks again from where it stopped.
async fn collect(
    backend: &dyn Backend,
    mut request: Request,
    wanted: usize,
) -> Result<Vec<Item>, Error> {
    let mut items = Vec::with_capacity(wanted);
    loop {
        let (found, last) = request.send(backend, wanted - items.len()).await?;
        items.extend(found);
        match last {
            Some(position) if items.len() < wanted => request.resume_after(position)?,
            _ => break,
        }
    }
    items.truncate(wanted);
    Ok(items)
}

/// The key attributes that locate `item` in the table, and in the index when there is one.
fn position_of(item: &Item, index: Option<&str>) -> Result<Item, Error> {
    let mut position = Key::from_item(item)?.to_item();
    for name in index
        .into_iter()
        .flat_map(|index| [attr::index_pk(index), attr::index_sk(index)])
    {
        let value = item
            .get(&name)
            .ok_or_else(|| Error::internal("an index item lacks its index key"))?;
        position.insert(name, value.clone());
    }
    Ok(position)
}

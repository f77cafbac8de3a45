//! `/api/transaction`: open, commit and revert the node's one transaction, and list its
//! pending changes.

use sps_api::transaction::{
    Changes, CommitMessagePolicy, CommitRequest, TransactionBody, TransactionResponse,
    TransactionStatus,
};
use sps_api::{paths, ErrorCode, Meta};

use super::{parse_body, ApiError, Ctx, Kind, Reply};

fn answer(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.session_id().to_owned();
    let remaining = ctx.remaining_seconds();
    let state = ctx.state();
    let status = match state.owns_transaction(&id) {
        true => TransactionStatus::Open,
        false => TransactionStatus::Closed,
    };
    let policy = match state.require_commit_message {
        true => CommitMessagePolicy::Required,
        false => CommitMessagePolicy::Optional,
    };
    let mut meta = Meta::at(paths::TRANSACTION, paths::API).with_remaining_seconds(remaining);
    meta.changes = Some(paths::TRANSACTION_CHANGES.to_owned());
    Reply::ok(&TransactionResponse {
        body: Some(TransactionBody {
            status,
            commit_message: Some(policy),
        }),
        transaction: None,
        key: Some("transaction".to_owned()),
        meta,
    })
}

/// `GET`: `open` only for the session that holds the lock.
pub(super) fn get(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    answer(ctx)
}

/// `POST`: opens a transaction, or keeps the session's own one open.
pub(super) fn open(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let (id, user) = (ctx.session_id().to_owned(), ctx.user_name());
    ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    answer(ctx)
}

fn require_own_transaction(ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
    let id = ctx.session_id().to_owned();
    let state = ctx.state();
    if state.owns_transaction(&id) {
        return Ok(());
    }
    match &state.pending {
        Some(pending) => Err(ApiError::locked(pending.owner_name.clone())),
        None => Err(ApiError::new(
            ErrorCode::NoOpenTransaction,
            "There is no open transaction to commit or revert",
        )),
    }
}

/// `PUT {"status": "commit"}`: makes the pending configuration the committed one.
pub(super) fn commit(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let request: CommitRequest = parse_body(
        ctx.body,
        &[
            ("status", Kind::Text, true),
            ("commit_message", Kind::Text, false),
        ],
    )
    .map_err(|error| match error.field.as_deref() {
        Some("body") => ApiError::invalid("status", "The body must be {\"status\": \"commit\"}"),
        _ => error,
    })?;
    require_own_transaction(ctx)?;
    let has_message = request
        .commit_message
        .as_deref()
        .is_some_and(|m| !m.trim().is_empty());
    if ctx.state().require_commit_message && !has_message {
        let mut error = ApiError::new(
            ErrorCode::CommitMessageRequired,
            "This node requires a commit message",
        );
        error.field = Some("commit_message".to_owned());
        return Err(error);
    }
    let (index, now) = (ctx.index, ctx.now);
    ctx.world.commit(index, now);
    tracing::info!(node = index + 1, user = ctx.user_name(), "committed");
    answer(ctx)
}

/// `DELETE`: drops the pending changes and frees the lock.
pub(super) fn revert(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    require_own_transaction(ctx)?;
    ctx.state().pending = None;
    answer(ctx)
}

pub(super) fn changes(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.session_id().to_owned();
    let remaining = ctx.remaining_seconds();
    let state = ctx.state();
    let changes = match &state.pending {
        Some(pending) if state.owns_transaction(&id) => pending.changes.clone(),
        _ => Vec::new(),
    };
    let meta =
        Meta::at(paths::TRANSACTION_CHANGES, paths::TRANSACTION).with_remaining_seconds(remaining);
    Reply::ok(&Changes { changes, meta })
}

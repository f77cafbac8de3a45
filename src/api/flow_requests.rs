//! Sends the requests the flows ask for ([`crate::flows::Request`]) and reads the
//! answers into the flows' terms ([`crate::flows::Reply`]).

use serde_json::Value;
use sps_api::cluster::{
    JoinRequestInput, JoinRequestResponse, JoinStatus, NodeResponse, PromoteResponse,
};
use sps_api::paths;
use sps_api::transaction::{CommitRequest, TransactionResponse, TransactionStatus};

use super::NodeClient;
use crate::flows::{Reply, Request};

pub async fn send(client: &NodeClient, request: &Request) -> Reply {
    let outcome = match request {
        Request::OpenTransaction => client
            .post_empty::<TransactionResponse>(paths::TRANSACTION)
            .await
            .map(|_| Reply::Done),
        Request::Promote => client
            .post_empty::<PromoteResponse>(paths::CLUSTER_PROMOTE)
            .await
            .map(|reply| Reply::Promoted(reply.value.body)),
        Request::RequestJoin {
            central_management_address,
        } => {
            let input = JoinRequestInput {
                central_management_address: central_management_address.clone(),
            };
            client
                .post::<_, JoinRequestResponse>(paths::CLUSTER_JOIN_REQUEST, &input)
                .await
                .map(|reply| Reply::JoinRequested(reply.value.body))
        }
        Request::RegisterNode(body) => client
            .post::<_, NodeResponse>(paths::CLUSTER_NODES, body)
            .await
            .map(|_| Reply::Done),
        Request::Commit { message } => client
            .put::<_, Value>(paths::TRANSACTION, &CommitRequest::new(message.clone()))
            .await
            .map(|_| Reply::Done),
        Request::Revert => client.delete(paths::TRANSACTION).await.map(|_| Reply::Done),
        Request::ReadJoinStatus => client
            .get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST)
            .await
            .map(|reply| Reply::JoinStatus(reply.value)),
        Request::RemoveNode { node_id } => client
            .delete(&paths::cluster_node(node_id))
            .await
            .map(|_| Reply::Done),
        Request::ReadTransaction => client
            .get::<TransactionResponse>(paths::TRANSACTION)
            .await
            .map(|reply| {
                let status = reply.value.state().map(|state| state.status);
                Reply::Transaction(status.unwrap_or(TransactionStatus::Other))
            }),
    };
    outcome.unwrap_or_else(Reply::Failed)
}

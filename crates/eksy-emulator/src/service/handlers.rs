//! The emulator's handler of each operation (the generated `Handlers` trait makes a
//! missing one a compile error); each delegates to its resource family's module.

use super::context::Ctx;
use super::idempotency::Lookup;
use super::{
    access, access_policies, addons, capabilities, certificate_authorities, cluster_updates,
    clusters, eks_auth, fargate, identity_providers, insights, nodegroup_updates, nodegroups,
    pod_identity, subscriptions, tags, updates, versions,
};
use crate::error::AwsError;
use crate::ops::Handlers;
use serde_json::Value;

type Operation = fn(&mut Ctx, &Value) -> Result<Value, AwsError>;

/// Runs an operation that takes a `clientRequestToken`: a repeat of a request already
/// answered gets that answer again without running the operation (service::idempotency).
fn idempotent(
    ctx: &mut Ctx,
    operation: &str,
    input: &Value,
    run: Operation,
) -> Result<Value, AwsError> {
    let now = ctx.now;
    let lookup = ctx
        .resources
        .idempotency
        .check(operation, input, now)
        .map_err(|error| match super::input::opt_text(input, "clusterName") {
            Some(cluster) => error.field("clusterName", cluster),
            None => error,
        })?;
    match lookup {
        Lookup::Replay(answer) => Ok(answer),
        Lookup::Run(pending) => {
            let answer = run(ctx, input)?;
            if let Some(pending) = pending {
                ctx.resources.idempotency.remember(pending, &answer, now);
            }
            Ok(answer)
        }
    }
}

impl Handlers for Ctx<'_> {
    fn create_cluster(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateCluster", input, clusters::create)
    }
    fn describe_cluster(&mut self, input: &Value) -> Result<Value, AwsError> {
        clusters::describe(self, input)
    }
    fn list_clusters(&mut self, input: &Value) -> Result<Value, AwsError> {
        clusters::list(self, input)
    }
    fn delete_cluster(&mut self, input: &Value) -> Result<Value, AwsError> {
        clusters::delete(self, input)
    }
    fn update_cluster_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdateClusterConfig",
            input,
            cluster_updates::update_config,
        )
    }
    fn update_cluster_version(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdateClusterVersion",
            input,
            cluster_updates::update_version,
        )
    }
    fn associate_encryption_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "AssociateEncryptionConfig",
            input,
            cluster_updates::associate_encryption_config,
        )
    }
    fn create_nodegroup(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateNodegroup", input, nodegroups::create)
    }
    fn describe_nodegroup(&mut self, input: &Value) -> Result<Value, AwsError> {
        nodegroups::describe(self, input)
    }
    fn list_nodegroups(&mut self, input: &Value) -> Result<Value, AwsError> {
        nodegroups::list(self, input)
    }
    fn delete_nodegroup(&mut self, input: &Value) -> Result<Value, AwsError> {
        nodegroups::delete(self, input)
    }
    fn update_nodegroup_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdateNodegroupConfig",
            input,
            nodegroup_updates::update_config,
        )
    }
    fn update_nodegroup_version(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdateNodegroupVersion",
            input,
            nodegroup_updates::update_version,
        )
    }
    fn create_fargate_profile(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateFargateProfile", input, fargate::create)
    }
    fn describe_fargate_profile(&mut self, input: &Value) -> Result<Value, AwsError> {
        fargate::describe(self, input)
    }
    fn list_fargate_profiles(&mut self, input: &Value) -> Result<Value, AwsError> {
        fargate::list(self, input)
    }
    fn delete_fargate_profile(&mut self, input: &Value) -> Result<Value, AwsError> {
        fargate::delete(self, input)
    }
    fn create_addon(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateAddon", input, addons::create)
    }
    fn describe_addon(&mut self, input: &Value) -> Result<Value, AwsError> {
        addons::describe(self, input)
    }
    fn list_addons(&mut self, input: &Value) -> Result<Value, AwsError> {
        addons::list(self, input)
    }
    fn update_addon(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "UpdateAddon", input, addons::update)
    }
    fn delete_addon(&mut self, input: &Value) -> Result<Value, AwsError> {
        addons::delete(self, input)
    }
    fn describe_addon_versions(&mut self, input: &Value) -> Result<Value, AwsError> {
        addons::describe_versions(self, input)
    }
    fn describe_addon_configuration(&mut self, input: &Value) -> Result<Value, AwsError> {
        addons::describe_configuration(self, input)
    }
    fn list_updates(&mut self, input: &Value) -> Result<Value, AwsError> {
        updates::list(self, input)
    }
    fn describe_update(&mut self, input: &Value) -> Result<Value, AwsError> {
        updates::describe(self, input)
    }
    fn cancel_update(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CancelUpdate", input, updates::cancel)
    }
    fn tag_resource(&mut self, input: &Value) -> Result<Value, AwsError> {
        tags::tag(self, input)
    }
    fn untag_resource(&mut self, input: &Value) -> Result<Value, AwsError> {
        tags::untag(self, input)
    }
    fn list_tags_for_resource(&mut self, input: &Value) -> Result<Value, AwsError> {
        tags::list(self, input)
    }
    fn register_cluster(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "RegisterCluster", input, clusters::register)
    }
    fn deregister_cluster(&mut self, input: &Value) -> Result<Value, AwsError> {
        clusters::deregister(self, input)
    }
    fn describe_cluster_versions(&mut self, input: &Value) -> Result<Value, AwsError> {
        versions::describe_cluster_versions(self, input)
    }
    fn create_access_entry(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateAccessEntry", input, access::create)
    }
    fn describe_access_entry(&mut self, input: &Value) -> Result<Value, AwsError> {
        access::describe(self, input)
    }
    fn list_access_entries(&mut self, input: &Value) -> Result<Value, AwsError> {
        access::list(self, input)
    }
    fn update_access_entry(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "UpdateAccessEntry", input, access::update)
    }
    fn delete_access_entry(&mut self, input: &Value) -> Result<Value, AwsError> {
        access::delete(self, input)
    }
    fn associate_access_policy(&mut self, input: &Value) -> Result<Value, AwsError> {
        access_policies::associate_policy(self, input)
    }
    fn disassociate_access_policy(&mut self, input: &Value) -> Result<Value, AwsError> {
        access_policies::disassociate_policy(self, input)
    }
    fn list_associated_access_policies(&mut self, input: &Value) -> Result<Value, AwsError> {
        access_policies::list_associated_policies(self, input)
    }
    fn list_access_policies(&mut self, input: &Value) -> Result<Value, AwsError> {
        access_policies::list_policies(input)
    }
    fn create_pod_identity_association(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "CreatePodIdentityAssociation",
            input,
            pod_identity::create,
        )
    }
    fn describe_pod_identity_association(&mut self, input: &Value) -> Result<Value, AwsError> {
        pod_identity::describe(self, input)
    }
    fn list_pod_identity_associations(&mut self, input: &Value) -> Result<Value, AwsError> {
        pod_identity::list(self, input)
    }
    fn update_pod_identity_association(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdatePodIdentityAssociation",
            input,
            pod_identity::update,
        )
    }
    fn delete_pod_identity_association(&mut self, input: &Value) -> Result<Value, AwsError> {
        pod_identity::delete(self, input)
    }
    fn associate_identity_provider_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "AssociateIdentityProviderConfig",
            input,
            identity_providers::associate,
        )
    }
    fn describe_identity_provider_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        identity_providers::describe(self, input)
    }
    fn list_identity_provider_configs(&mut self, input: &Value) -> Result<Value, AwsError> {
        identity_providers::list(self, input)
    }
    fn disassociate_identity_provider_config(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "DisassociateIdentityProviderConfig",
            input,
            identity_providers::disassociate,
        )
    }
    fn create_eks_anywhere_subscription(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "CreateEksAnywhereSubscription",
            input,
            subscriptions::create,
        )
    }
    fn describe_eks_anywhere_subscription(&mut self, input: &Value) -> Result<Value, AwsError> {
        subscriptions::describe(self, input)
    }
    fn list_eks_anywhere_subscriptions(&mut self, input: &Value) -> Result<Value, AwsError> {
        subscriptions::list(self, input)
    }
    fn update_eks_anywhere_subscription(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "UpdateEksAnywhereSubscription",
            input,
            subscriptions::update,
        )
    }
    fn delete_eks_anywhere_subscription(&mut self, input: &Value) -> Result<Value, AwsError> {
        subscriptions::delete(self, input)
    }
    fn list_insights(&mut self, input: &Value) -> Result<Value, AwsError> {
        insights::list(self, input)
    }
    fn describe_insight(&mut self, input: &Value) -> Result<Value, AwsError> {
        insights::describe(self, input)
    }
    fn start_insights_refresh(&mut self, input: &Value) -> Result<Value, AwsError> {
        insights::start_refresh(self, input)
    }
    fn describe_insights_refresh(&mut self, input: &Value) -> Result<Value, AwsError> {
        insights::describe_refresh(self, input)
    }
    fn create_capability(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "CreateCapability", input, capabilities::create)
    }
    fn describe_capability(&mut self, input: &Value) -> Result<Value, AwsError> {
        capabilities::describe(self, input)
    }
    fn list_capabilities(&mut self, input: &Value) -> Result<Value, AwsError> {
        capabilities::list(self, input)
    }
    fn update_capability(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(self, "UpdateCapability", input, capabilities::update)
    }
    fn delete_capability(&mut self, input: &Value) -> Result<Value, AwsError> {
        capabilities::delete(self, input)
    }
    fn create_certificate_authority(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "CreateCertificateAuthority",
            input,
            certificate_authorities::create,
        )
    }
    fn describe_certificate_authority(&mut self, input: &Value) -> Result<Value, AwsError> {
        certificate_authorities::describe(self, input)
    }
    fn list_certificate_authorities(&mut self, input: &Value) -> Result<Value, AwsError> {
        certificate_authorities::list(self, input)
    }
    fn activate_certificate_authority(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "ActivateCertificateAuthority",
            input,
            certificate_authorities::activate,
        )
    }
    fn delete_certificate_authority(&mut self, input: &Value) -> Result<Value, AwsError> {
        idempotent(
            self,
            "DeleteCertificateAuthority",
            input,
            certificate_authorities::delete,
        )
    }
    fn assume_role_for_pod_identity(&mut self, input: &Value) -> Result<Value, AwsError> {
        eks_auth::assume_role_for_pod_identity(self, input)
    }
}

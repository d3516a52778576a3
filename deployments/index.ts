/**
 * eks-netpol-lab-deployments: Pulumi Deployments for the lab's stacks, as code. Run once by a person
 * (`npm run deployments -- up`), not by Deployments itself.
 *
 * Read and validate the settings (config.ts), then: the AWS role Deployments assumes through the organization's OIDC
 * tokens to run `pulumi up` of the lab, the AWS role GitHub Actions jobs assume to reach the clusters, and for each
 * lab stack its DeploymentSettings, TTL and drift schedule.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LabDeployments } from "./components/labDeployments";
import { OidcRole } from "./components/oidcRole";
import { loadDeploymentsSettings } from "./config";
import { deployRolePermissions } from "./deployPermissions";
import {
    deploymentsSubjects,
    deployRoleTrust,
    GITHUB_AUDIENCE,
    GITHUB_OIDC_HOST,
    githubActionsRolePermissions,
    githubActionsRoleTrust,
    githubSubjects,
    PULUMI_OIDC_HOST,
} from "./iamPolicies";
import { SESSION_HOURS, settingsInputs } from "./settingsArgs";

const settings = loadDeploymentsSettings();
const stacks = [...settings.labStacks, ...(settings.reviewTemplate ? [settings.reviewTemplate] : [])];
const account = aws.getCallerIdentityOutput();
const scope = account.accountId.apply((accountId) => ({ partition: settings.partition, accountId, stacks: settings.labStacks, reviewTemplate: settings.reviewTemplate }));

// Pulumi Deployments runs `pulumi up`, `destroy`, previews and drift detection of the lab as this role.
const deployer = new OidcRole("deploy", {
    providerHost: PULUMI_OIDC_HOST,
    audiences: [settings.organization],
    existingProviderArn: settings.pulumiOidcProviderArn || undefined,
    roleName: "eks-netpol-lab-deploy",
    description: `Pulumi Deployments of eks-netpol-lab stacks in the Pulumi organization ${settings.organization}`,
    trust: (arn) => deployRoleTrust(arn, settings.organization, deploymentsSubjects(settings.organization, stacks.map((s) => s.name), settings.reviewStacks)),
    permissions: scope.apply(deployRolePermissions),
    maxSessionDurationSeconds: SESSION_HOURS * 3600,
});

// GitHub Actions jobs that must reach a lab cluster (the verify job): the repository, on its branch or environment.
const github = { repository: settings.repository, ownerId: settings.githubOwnerId, repositoryId: settings.githubRepositoryId, branch: settings.branch, environment: settings.githubEnvironment };
const githubActions = new OidcRole("github-actions", {
    providerHost: GITHUB_OIDC_HOST,
    audiences: [GITHUB_AUDIENCE],
    existingProviderArn: settings.githubOidcProviderArn || undefined,
    roleName: "eks-netpol-lab-github-actions",
    description: `GitHub Actions of ${settings.repository} on ${settings.branch}, to reach the eks-netpol-lab clusters`,
    trust: (arn) => githubActionsRoleTrust(arn, githubSubjects(github)),
    permissions: scope.apply(githubActionsRolePermissions),
});

const labs = settings.labStacks.map((stack) => new LabDeployments(stack.name, {
    settings: deployer.roleArn.apply((arn) => settingsInputs(settings, stack.name, arn)),
    ttlHours: settings.labTtlHours,
    driftCron: settings.driftCron,
}));
// The review-stack template never runs itself: no TTL, no drift detection (review stacks end with their pull request).
if (settings.reviewTemplate) {
    new LabDeployments(settings.reviewTemplate.name, { settings: deployer.roleArn.apply((arn) => settingsInputs(settings, settings.reviewTemplate!.name, arn, true)), ttlHours: settings.labTtlHours, ttl: false });
}

/** Add to each lab stack's clusterAdminArns: Deployments runs `pulumi up` of the lab as this role. */
export const deployRoleArn = deployer.roleArn;
/** For the verify job's aws-actions/configure-aws-credentials `role-to-assume`; its cluster access is the lab's to grant. */
export const githubActionsRoleArn = githubActions.roleArn;
export const pulumiOidcProviderArn = deployer.providerArn;
export const githubOidcProviderArn = githubActions.providerArn;
/** The lab stacks, as the deploy workflow's LAB_STACKS repository variable wants them. */
export const labStacks = settings.labStacks.map((s) => s.name);
/** When each lab stack's TTL destroys it (RFC 3339, UTC). */
export const labTtlExpiresAt = pulumi.all(Object.fromEntries(labs.map((lab, i) => [settings.labStacks[i].name, lab.ttlExpiresAt!])));
/** Each lab stack's TTL clock: `up --replace <urn>` sets the TTL again from now (README, "Extending a lab's TTL"). */
export const labTtlClockUrns = pulumi.all(Object.fromEntries(labs.map((lab, i) => [settings.labStacks[i].name, lab.ttlClockUrn!])));

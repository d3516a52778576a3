/**
 * The IAM documents of the two roles, as pure functions over plain data: who may assume each role (trust policies
 * pinned to the Pulumi organization and this project's stacks, or to the repository and its branch), and what the
 * deploy role may do (what the lab creates, and no more).
 *
 * Rules kept here and asserted by tests: no `"*"` action anywhere and no service-wide `service:*` action; `"*"` as a
 * resource only for actions AWS cannot scope to a resource (Describe/List calls, kms:CreateKey), and then bounded to
 * the lab's regions; IAM actions only on the lab's own roles, never on the roles defined here.
 */
import { LAB_PROJECT, LabStack } from "./config";

export const PULUMI_OIDC_HOST = "api.pulumi.com/oidc";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience configure-aws-credentials asks GitHub for. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

/**
 * Names of the lab's IAM roles, as Pulumi auto-names them (`<logical name>-<7 random hex>`): the cluster role of
 * pulumi-eks's Cluster `lab-eks` (its ServiceRole `lab-eks-eksRole`, whose role is `lab-eks-eksRole-role`) and the node
 * role of NodeGroup `lab-nodes`. The lab creates no other role (no default node group, so no instance role).
 */
export const LAB_ROLE_NAME_PATTERNS = ["lab-eks-eksRole-role-*", "lab-nodes-role-*"];

/** The AWS-managed policies the lab attaches to its roles: EKS's cluster policy and the three worker-node policies. */
export const LAB_MANAGED_POLICIES = ["AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    /** Absent in a trust policy, whose resource is the role itself. */
    Resource?: string | string[];
    Principal?: { Federated: string };
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

function document(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

// ---- trust -------------------------------------------------------------------------------------------------------

/**
 * `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<kind>:scope:write` for each lab stack, any
 * operation (update, preview, destroy, refresh, drift detection). Stack names contain no colon, so `stack:dev:` can
 * only be the stack dev. With review stacks, whose generated names are not documented, the subject is every stack of
 * the lab project instead: still one organization and one project.
 */
export function deploymentsSubjects(org: string, stacks: readonly string[], anyStack: boolean): string[] {
    const prefix = `pulumi:deploy:org:${org}:project:${LAB_PROJECT}:stack:`;
    if (anyStack) return [`${prefix}*`];
    return stacks.map((stack) => `${prefix}${stack}:operation:*:scope:write`);
}

/** Pulumi Deployments, through the organization's OIDC tokens, for this project's stacks only. */
export function deployRoleTrust(providerArn: string, org: string, subjects: string[]): PolicyDocument {
    return document([{
        Sid: "PulumiDeploymentsOfTheLabStacks",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
            // The audience is the organization's name, exactly (case-sensitive): never a pattern.
            StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: org },
            StringLike: { [`${PULUMI_OIDC_HOST}:sub`]: subjects },
        },
    }]);
}

export interface GithubRepository {
    /** owner/name */
    repository: string;
    ownerId: number;
    repositoryId: number;
    branch: string;
    /** A GitHub environment whose jobs may assume the role too; empty for none. */
    environment: string;
}

/**
 * The `sub` claims GitHub issues for jobs of the repository on the branch (and in the environment, if any): the
 * name form `repo:owner/name:...` and the immutable form `repo:owner@<id>/name@<id>:...`, which repositories created
 * since July 2026 (or opted in) use. Exact strings, compared with StringEquals.
 */
export function githubSubjects(r: GithubRepository): string[] {
    const [owner, name] = r.repository.split("/");
    const repos = [`repo:${owner}/${name}`, `repo:${owner}@${r.ownerId}/${name}@${r.repositoryId}`];
    const contexts = [`ref:refs/heads/${r.branch}`, ...(r.environment ? [`environment:${r.environment}`] : [])];
    return repos.flatMap((repo) => contexts.map((context) => `${repo}:${context}`));
}

export function githubActionsRoleTrust(providerArn: string, subjects: string[]): PolicyDocument {
    return document([{
        Sid: "GithubActionsOfTheRepositoryOnItsBranch",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
            StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: subjects },
        },
    }]);
}

// ---- permissions -------------------------------------------------------------------------------------------------

export interface AccountScope {
    partition: string;
    accountId: string;
    stacks: readonly LabStack[];
}

const unique = (values: string[]) => [...new Set(values)];
const regionsOf = (scope: AccountScope) => unique(scope.stacks.map((s) => s.region));
const inRegions = (scope: AccountScope) => ({ StringEquals: { "aws:RequestedRegion": regionsOf(scope) } });

/** EKS resources of each lab stack's cluster: the cluster, its node groups, add-ons and access entries. */
function eksResources(s: AccountScope): string[] {
    return s.stacks.flatMap(({ region, clusterName }) => {
        const base = `arn:${s.partition}:eks:${region}:${s.accountId}`;
        return [`${base}:cluster/${clusterName}`, `${base}:nodegroup/${clusterName}/*/*`, `${base}:addon/${clusterName}/*/*`, `${base}:access-entry/${clusterName}/*`];
    });
}

function labRoleArns(s: AccountScope): string[] {
    return LAB_ROLE_NAME_PATTERNS.map((pattern) => `arn:${s.partition}:iam::${s.accountId}:role/${pattern}`);
}

/** What `pulumi up` and `pulumi destroy` of the lab call (README "Permissions"), each on the narrowest resource AWS allows. */
export function deployRolePermissions(s: AccountScope): PolicyDocument {
    const regions = regionsOf(s);
    return document([
        {
            // Lookups AWS does not scope to resources: zones, the VPC being built, add-on versions, the node group's ASG.
            Sid: "ReadOnlyLookups",
            Effect: "Allow",
            Action: ["ec2:Describe*", "eks:DescribeAddonVersions", "eks:DescribeAddonConfiguration", "eks:DescribeClusterVersions", "autoscaling:DescribeAutoScalingGroups", "logs:DescribeLogGroups"],
            Resource: "*",
            Condition: inRegions(s),
        },
        {
            Sid: "LabNetwork",
            Effect: "Allow",
            Action: [
                "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute",
                "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
                "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute",
                "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
                "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
                "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress",
                "ec2:CreateNatGateway", "ec2:DeleteNatGateway",
                "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
                "ec2:CreateTags", "ec2:DeleteTags",
            ],
            // The lab's account and regions; EC2 names no resource before it exists, and the lab tags none in common.
            Resource: regions.map((region) => `arn:${s.partition}:ec2:${region}:${s.accountId}:*`),
        },
        {
            Sid: "LabClusters",
            Effect: "Allow",
            Action: [
                "eks:CreateCluster", "eks:DescribeCluster", "eks:DeleteCluster", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:DescribeUpdate",
                "eks:CreateNodegroup", "eks:DescribeNodegroup", "eks:DeleteNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion", "eks:ListNodegroups",
                "eks:CreateAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:ListAddons",
                "eks:CreateAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:ListAccessEntries",
                "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies",
                "eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource",
            ],
            Resource: eksResources(s),
        },
        {
            Sid: "LabRoles",
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"],
            Resource: labRoleArns(s),
        },
        {
            Sid: "LabRolePolicies",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: labRoleArns(s),
            Condition: { ArnEquals: { "iam:PolicyARN": LAB_MANAGED_POLICIES.map((p) => `arn:${s.partition}:iam::aws:policy/${p}`) } },
        },
        {
            // EKS takes the cluster role and the node role; nothing else may be handed these roles.
            Sid: "PassLabRolesToEks",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: labRoleArns(s),
            Condition: { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } },
        },
        {
            Sid: "EksServiceLinkedRoles",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: `arn:${s.partition}:iam::${s.accountId}:role/aws-service-role/*`,
            Condition: { StringEquals: { "iam:AWSServiceName": ["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"] } },
        },
        {
            // A key has no name before it exists: creating one cannot be scoped to a resource.
            Sid: "CreateSecretsKey",
            Effect: "Allow",
            Action: ["kms:CreateKey"],
            Resource: "*",
            Condition: inRegions(s),
        },
        {
            Sid: "ManageSecretsKey",
            Effect: "Allow",
            Action: ["kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion"],
            Resource: regions.map((region) => `arn:${s.partition}:kms:${region}:${s.accountId}:key/*`),
        },
        {
            // EKS envelope encryption: EKS makes a grant on the key with the caller's permission, for itself only.
            Sid: "GrantSecretsKeyToEks",
            Effect: "Allow",
            Action: ["kms:CreateGrant"],
            Resource: regions.map((region) => `arn:${s.partition}:kms:${region}:${s.accountId}:key/*`),
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        {
            Sid: "ControlPlaneLogGroups",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:ListTagsLogGroup"],
            Resource: s.stacks.flatMap(({ region, clusterName }) => {
                const group = `arn:${s.partition}:logs:${region}:${s.accountId}:log-group:/aws/eks/${clusterName}/cluster`;
                return [group, `${group}:*`];
            }),
        },
    ]);
}

/** The GitHub Actions role reads where each lab cluster is (`aws eks update-kubeconfig`); its Kubernetes access is the lab's to grant. */
export function githubActionsRolePermissions(s: AccountScope): PolicyDocument {
    return document([{
        Sid: "FindLabClusters",
        Effect: "Allow",
        Action: ["eks:DescribeCluster"],
        Resource: s.stacks.map(({ region, clusterName }) => `arn:${s.partition}:eks:${region}:${s.accountId}:cluster/${clusterName}`),
    }]);
}

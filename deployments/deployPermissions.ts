/**
 * What the deploy role may do: what `pulumi up` and `pulumi destroy` of each lab stack call, each on the narrowest
 * resource AWS lets a policy name, as a pure function over plain data.
 *
 * How the lab's resources are told apart from everything else in the account (the lab puts them there so):
 *   - IAM roles by path: the lab's roles live under `/eks-netpol-lab/`, the roles defined here do not;
 *   - EKS clusters and control-plane log groups by name: `eks-netpol-lab-<stack>` (or the stack's existingClusterName);
 *   - EC2 resources and the KMS key by the tag `eks-netpol-lab:stack = <stack>`, which the lab sets when it creates
 *     them (tag on create): a create must carry the tag, anything else needs it on the resource already, and tagging
 *     is allowed only as part of a create, so no existing resource can be tagged into scope (KMS: see below).
 *
 * Two residuals, where AWS offers no narrower grant (README, "What the deploy role may do"):
 *   - the rules of security groups (the lab revokes those of its VPC's default security group, which carries no tag
 *     of the lab): any security group of the account, in the lab's regions;
 *   - kms:TagResource on any key of the account in the lab's regions, with the lab's tag in the request: KMS checks
 *     tagging at CreateKey against a grant "that isn't restricted to particular KMS keys" and has no condition that
 *     tells tag-on-create from tagging an existing key. So this role could tag another key (one whose key policy
 *     defers to IAM) into scope and schedule its deletion (7 to 30 days, cancellable); only a key policy on the lab's
 *     key granting its management, in place of these KMS statements, would close that.
 *
 * Rules kept here and asserted by tests: no `"*"` action and no `service:*` action; `"*"` as a resource only for
 * actions AWS cannot scope to a resource (Describe/List calls, eks:CreateCluster, kms:CreateKey), and then bounded to
 * the lab's regions; every condition key one AWS documents for its action (tests/deployments/serviceAuthorization.json).
 */
import { LAB_ROLE_PATH, LAB_TAG_KEY } from "../components/labScope";
import { LAB_PROJECT, LabStack } from "./config";
import { AccountScope, document, PolicyDocument, PolicyStatement } from "./iamPolicies";

/** The IAM path of the lab's roles (its cluster role and its node role); nothing else of the account's is under it. */
export { LAB_ROLE_PATH };

/** The tag the lab puts on what it creates in EC2 and KMS: the stack it belongs to. */
export const STACK_TAG = LAB_TAG_KEY;

/** The AWS-managed policies the lab attaches to its roles: EKS's cluster policy and the three worker-node policies. */
export const LAB_MANAGED_POLICIES = ["AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/** What the lab creates in EC2, each with the action that creates it (and tags it) and its resource type in ARNs. */
export const LAB_EC2_CREATES = [
    { action: "ec2:CreateVpc", type: "vpc", sid: "Vpc" },
    { action: "ec2:CreateSubnet", type: "subnet", sid: "Subnets" },
    { action: "ec2:CreateRouteTable", type: "route-table", sid: "RouteTables" },
    { action: "ec2:CreateInternetGateway", type: "internet-gateway", sid: "InternetGateway" },
    { action: "ec2:AllocateAddress", type: "elastic-ip", sid: "ElasticIp" },
    { action: "ec2:CreateNatGateway", type: "natgateway", sid: "NatGateway" },
    { action: "ec2:CreateLaunchTemplate", type: "launch-template", sid: "LaunchTemplate" },
] as const;

/**
 * What the lab does to its EC2 resources once they exist, all on resources tagged for a lab stack. The three creates
 * at the end are here for the existing resources they also name (CreateSubnet and CreateRouteTable the VPC,
 * CreateNatGateway its subnet and Elastic IP), which AWS authorizes by their tags like any other use.
 */
const EC2_ON_TAGGED = [
    "ec2:DeleteVpc", "ec2:ModifyVpcAttribute",
    "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
    "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
    "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
    "ec2:ReleaseAddress", "ec2:DisassociateAddress",
    "ec2:DeleteNatGateway",
    "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
    "ec2:DeleteTags",
    "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateNatGateway",
];

type Condition = NonNullable<PolicyStatement["Condition"]>;

const unique = (values: string[]) => [...new Set(values)];

/** The scope split by what each stack needs: stacks that create their cluster, and stacks on an existing one. */
interface Split {
    partition: string;
    accountId: string;
    /** Stacks that create their cluster (with the review-stack template, if its review stacks do). */
    created: LabStack[];
    /** Stacks on an existing cluster (with the review-stack template, if its review stacks are). */
    existing: LabStack[];
    /** Review stacks create clusters: their stack names, so their clusters' names and tags, are generated. */
    generatedNames: boolean;
}

function split(s: AccountScope): Split {
    const all = [...s.stacks, ...(s.reviewTemplate ? [s.reviewTemplate] : [])];
    return {
        partition: s.partition,
        accountId: s.accountId,
        created: all.filter((stack) => stack.cluster === "created"),
        existing: all.filter((stack) => stack.cluster === "existing"),
        generatedNames: s.reviewTemplate?.cluster === "created",
    };
}

const regionsOf = (stacks: LabStack[]) => unique(stacks.map((stack) => stack.region));
const inRegions = (stacks: LabStack[]): Condition => ({ StringEquals: { "aws:RequestedRegion": regionsOf(stacks) } });

/**
 * `aws:RequestTag/...` or `aws:ResourceTag/...` naming one of the lab stacks; with review stacks, whose names are
 * generated, any value of the lab's tag (still only what carries the lab's own tag key).
 */
function stackTag(kind: "RequestTag" | "ResourceTag", x: Split, base: Condition = {}): Condition {
    const key = `aws:${kind}/${STACK_TAG}`;
    if (x.generatedNames) return { ...base, StringLike: { ...base.StringLike, [key]: "*" } };
    return { ...base, StringEquals: { ...base.StringEquals, [key]: x.created.map((stack) => stack.name) } };
}

/** The names of the created clusters in ARNs: each stack's, or with review stacks every `eks-netpol-lab-*`. */
function createdClusterNames(x: Split): { region: string; clusterName: string }[] {
    if (!x.generatedNames) return x.created;
    return regionsOf(x.created).map((region) => ({ region, clusterName: `${LAB_PROJECT}-*` }));
}

function eksArns(x: Split, clusters: { region: string; clusterName: string }[], kinds: ("cluster" | "nodegroup" | "addon" | "access-entry")[]): string[] {
    const suffix = { cluster: "", nodegroup: "/*/*", addon: "/*/*", "access-entry": "/*" };
    return clusters.flatMap(({ region, clusterName }) => kinds.map((kind) => `arn:${x.partition}:eks:${region}:${x.accountId}:${kind}/${clusterName}${suffix[kind]}`));
}

function ec2Arns(x: Split, types: readonly string[]): string[] {
    return regionsOf(x.created).flatMap((region) => types.map((type) => `arn:${x.partition}:ec2:${region}:${x.accountId}:${type}/*`));
}

/** Any EC2 resource of the account in the lab's regions: for statements whose condition already picks the lab's. */
function anyEc2(x: Split): string[] {
    return regionsOf(x.created).map((region) => `arn:${x.partition}:ec2:${region}:${x.accountId}:*`);
}

const statement = (Sid: string, Action: string[], Resource: string | string[], Condition?: Condition): PolicyStatement =>
    ({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });

/** The network: each create carries the stack tag; everything else needs it on the resource. */
function networkStatements(x: Split): PolicyStatement[] {
    return [
        // One statement per create, naming only the type it creates: the existing resources a create also names (the
        // VPC of a subnet, ...) are authorized by their tags below, never by the tag of the request.
        ...LAB_EC2_CREATES.map((c) => statement(`CreateTagged${c.sid}`, [c.action], ec2Arns(x, [c.type]), stackTag("RequestTag", x))),
        // Tagging only as part of those creates: never an existing resource.
        statement("TagOnlyOnCreate", ["ec2:CreateTags"], anyEc2(x), { StringEquals: { "ec2:CreateAction": LAB_EC2_CREATES.map((c) => c.action) } }),
        statement("LabTaggedNetwork", EC2_ON_TAGGED, anyEc2(x), stackTag("ResourceTag", x)),
        // The one residual: the default security group of the lab's VPC carries no tag of the lab (the lab only adopts
        // it and revokes its rules), so its rules can only be bounded to the account and the lab's regions.
        statement("DefaultSecurityGroupRules", ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"], ec2Arns(x, ["security-group", "security-group-rule"])),
    ];
}

function clusterStatements(x: Split): PolicyStatement[] {
    const clusters = createdClusterNames(x);
    return [
        // EKS authorizes CreateCluster on no resource (it has no resource type): the name cannot be scoped.
        statement("CreateLabClusters", ["eks:CreateCluster"], "*", inRegions(x.created)),
        statement("LabClusters", [
            "eks:DescribeCluster", "eks:DeleteCluster", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:DescribeUpdate",
            "eks:CreateNodegroup", "eks:DescribeNodegroup", "eks:DeleteNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion", "eks:ListNodegroups",
            "eks:CreateAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:ListAddons",
            "eks:CreateAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:ListAccessEntries",
            "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies",
            "eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource",
        ], eksArns(x, clusters, ["cluster", "nodegroup", "addon", "access-entry"])),
        statement("ControlPlaneLogGroups", [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
            "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:ListTagsLogGroup",
        ], clusters.flatMap(({ region, clusterName }) => {
            const group = `arn:${x.partition}:logs:${region}:${x.accountId}:log-group:/aws/eks/${clusterName}/cluster`;
            return [group, `${group}:*`];
        })),
    ];
}

function roleStatements(x: Split): PolicyStatement[] {
    const labRoles = `arn:${x.partition}:iam::${x.accountId}:role${LAB_ROLE_PATH}*`;
    return [
        statement("LabRoles", ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"], labRoles),
        statement("LabRolePolicies", ["iam:AttachRolePolicy", "iam:DetachRolePolicy"], labRoles, { ArnEquals: { "iam:PolicyARN": LAB_MANAGED_POLICIES.map((p) => `arn:${x.partition}:iam::aws:policy/${p}`) } }),
        // EKS takes the cluster role and the node role; nothing else may be handed these roles.
        statement("PassLabRolesToEks", ["iam:PassRole"], labRoles, { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } }),
        statement("EksServiceLinkedRoles", ["iam:CreateServiceLinkedRole"], `arn:${x.partition}:iam::${x.accountId}:role/aws-service-role/*`, { StringEquals: { "iam:AWSServiceName": ["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"] } }),
    ];
}

function keyStatements(x: Split): PolicyStatement[] {
    const keys = regionsOf(x.created).map((region) => `arn:${x.partition}:kms:${region}:${x.accountId}:key/*`);
    return [
        // A key has no name before it exists: creating one cannot be scoped to a resource, only to its tag.
        statement("CreateTaggedSecretsKey", ["kms:CreateKey"], "*", stackTag("RequestTag", x, inRegions(x.created))),
        // CreateKey with tags also needs kms:TagResource "in an IAM policy that isn't restricted to particular KMS
        // keys" (KMS developer guide, "Controlling access to tags"): the second residual.
        statement("TagSecretsKeyOnCreate", ["kms:TagResource"], keys, stackTag("RequestTag", x)),
        // What the provider calls right after CreateKey, before the key's tag may count for authorization ("It might
        // take up to five minutes for tag and alias changes to affect KMS key authorization"): reads, and turning
        // rotation on, which harms no key.
        statement("ReadSecretsKeys", ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:EnableKeyRotation"], keys),
        statement("ManageLabSecretsKeys", ["kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion"], keys, stackTag("ResourceTag", x)),
        // EKS envelope encryption: EKS makes a grant on the lab's key with the caller's permission, for itself only.
        statement("GrantLabSecretsKeysToEks", ["kms:CreateGrant"], keys, stackTag("ResourceTag", x, { Bool: { "kms:GrantIsForAWSResource": "true" } })),
    ];
}

/** A stack on an existing cluster reads it and resizes its node groups (the node recycler), nothing else. */
function existingClusterStatements(x: Split): PolicyStatement[] {
    return [statement("ExistingClusterNodeGroups", ["eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"], eksArns(x, x.existing, ["cluster", "nodegroup"]))];
}

/** What `pulumi up` and `pulumi destroy` of the lab stacks call (README, "Permissions"), for each stack only what it needs. */
export function deployRolePermissions(s: AccountScope): PolicyDocument {
    const x = split(s);
    const created = x.created.length > 0;
    return document([
        ...(created ? [
            // Lookups AWS does not scope to resources: zones, the VPC being built, add-on versions, log groups.
            statement("ReadOnlyLookups", ["ec2:Describe*", "eks:DescribeAddonVersions", "eks:DescribeAddonConfiguration", "eks:DescribeClusterVersions", "logs:DescribeLogGroups"], "*", inRegions(x.created)),
        ] : []),
        // The node recycler watches the node group's instances leave and join, on any cluster a stack uses.
        statement("NodeGroupLookups", ["autoscaling:DescribeAutoScalingGroups"], "*", inRegions([...x.created, ...x.existing])),
        ...(created ? [...networkStatements(x), ...clusterStatements(x), ...roleStatements(x), ...keyStatements(x)] : []),
        ...(x.existing.length > 0 ? existingClusterStatements(x) : []),
    ]);
}

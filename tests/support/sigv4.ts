/**
 * SigV4 for an EKS token's presigned STS GetCallerIdentity URL, written out from the specification rather than taken
 * from the SDK, to check the tokens the providers make against: the signed headers are host and x-k8s-aws-id (the
 * cluster name), the payload is empty, and the scope's region comes from X-Amz-Credential.
 */
import * as crypto from "crypto";

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data).digest();
const sha256Hex = (data: string) => crypto.createHash("sha256").update(data).digest("hex");

export function presignedTokenSignature(url: URL, secretAccessKey: string, clusterName: string): string {
    const query = url.searchParams;
    const canonicalQuery = [...query.entries()]
        .filter(([k]) => k !== "X-Amz-Signature")
        .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
    const canonicalRequest = ["GET", "/", canonicalQuery, `host:${url.host}`, `x-k8s-aws-id:${clusterName}`, "", "host;x-k8s-aws-id", sha256Hex("")].join("\n");
    const amzDate = query.get("X-Amz-Date") ?? "";
    const region = (query.get("X-Amz-Credential") ?? "").split("/")[2];
    const scope = `${amzDate.slice(0, 8)}/${region}/sts/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
    const key = ["sts", "aws4_request"].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${secretAccessKey}`, amzDate.slice(0, 8)), region));
    return hmac(key, stringToSign).toString("hex");
}

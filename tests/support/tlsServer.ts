/**
 * The fake API servers' HTTPS: a server on the loopback address with the test-only certificate of
 * tests/fixtures/tls/ (for 127.0.0.1 and localhost, signed by a throwaway CA), as a real cluster's endpoint is HTTPS
 * that clients trust through the cluster CA in their kubeconfig.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";

const TLS = path.join(__dirname, "..", "fixtures", "tls");

/** Starts an HTTPS server on a free loopback port that hands each request to `handle`. */
export async function startTlsServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<https.Server> {
    const server = https.createServer({ cert: fs.readFileSync(path.join(TLS, "server.pem")), key: fs.readFileSync(path.join(TLS, "server-key.pem")) });
    server.on("request", handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
}

export function urlOf(server: https.Server): string {
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The test CA as a kubeconfig carries a cluster's: base64 of the PEM. */
export function testCertificateAuthorityData(): string {
    return fs.readFileSync(path.join(TLS, "ca.pem")).toString("base64");
}

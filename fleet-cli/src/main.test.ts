import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../bin/jetson-fleet.js", import.meta.url));

/** The CLI as an operator runs it, with the fleet's URL and a token; its exit code and what it printed. */
async function cli(url: string, ...args: string[]) {
  const env = { ...process.env, JETSON_FLEET_URL: url, JETSON_FLEET_TOKEN: "jft_secret_admin_token" };
  return run(process.execPath, [CLI, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe("the jetson-fleet CLI", () => {
  it("sends its token to no URL that would carry it in clear text", async () => {
    const asked: string[] = [];
    // Another address of this machine (all of 127/8 is loopback): given as plain http to a name that is not loopback.
    const server = createServer((request, response) => {
      asked.push(request.headers.authorization ?? "");
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const refused = await cli(`http://fleet.example.test:${port}`, "tokens");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/JETSON_FLEET_URL http:\/\/fleet\.example\.test:\d+ must be https: .*clear text/);
      // The same server over loopback is fine (the local stack).
      expect((await cli(`http://127.0.0.1:${port}`, "tokens")).code).toBe(0);
      expect(asked).toEqual(["Bearer jft_secret_admin_token"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it("lists a fleet's unused enrollment codes and cancels a device's", async () => {
    const asked: string[] = [];
    const server = createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      if (request.method === "DELETE") response.writeHead(204).end();
      else response.end(JSON.stringify({ enrollments: [{ device: "cam 1", expiresAt: 1, createdBy: "token:tok_a" }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const listed = await cli(url, "enroll-codes");
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual({ enrollments: [{ device: "cam 1", expiresAt: 1, createdBy: "token:tok_a" }] });
      expect((await cli(url, "enroll-code-cancel", "--device", "cam 1")).code).toBe(0);
      expect((await cli(url, "enroll-code-cancel")).stderr).toMatch(/enroll-code-cancel needs --device/);
      expect(asked).toEqual(["GET /api/enrollments", "DELETE /api/enrollments/cam%201"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it("prints a result without the C1 controls and format characters that would drive the terminal, as the same JSON", async () => {
    const enrollments = [{ device: "cam\u009b2J\u009d0;owned\u009c\u202e1", expiresAt: 1, createdBy: "token:tok_a" }];
    const server = createServer((_request, response) => {
      response.end(JSON.stringify({ enrollments }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const listed = await cli(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "enroll-codes");
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toMatch(/[\u0080-\u009f\p{Cf}]/u);
      expect(JSON.parse(listed.stdout)).toEqual({ enrollments });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it("prints a server's error without the escape sequences that would drive the terminal", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "no such device \u001b]0;owned-title\u0007\u001b[2Jcam-1\u202e" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const failed = await cli(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "revoke", "--device", "cam-1");
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("no such device ]0;owned-title[2Jcam-1");
      expect(failed.stderr).not.toMatch(/[\u001b\u0007\u202e]/u);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});

// Every api-version the issue promises, through the SDK's serviceVersion option.
import assert from "node:assert/strict";
import { test } from "node:test";
import { secretClient, uniqueName } from "./helpers.mjs";

const versions = ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"];

for (const serviceVersion of versions) {
  test(`serviceVersion ${serviceVersion}: set, get and list round-trip, and the request carries that api-version`, async () => {
    const urls = [];
    const client = secretClient(undefined, {
      serviceVersion,
      additionalPolicies: [
        {
          position: "perCall",
          policy: {
            name: "recordUrls",
            sendRequest(request, next) {
              urls.push(request.url);
              return next(request);
            },
          },
        },
      ],
    });
    const name = uniqueName(`apiv-${serviceVersion.replace(/\./g, "-")}`);
    const set = await client.setSecret(name, `value for ${serviceVersion}`, { contentType: serviceVersion, tags: { v: serviceVersion } });
    const got = await client.getSecret(name);
    assert.equal(got.value, `value for ${serviceVersion}`);
    assert.equal(got.properties.contentType, serviceVersion);
    assert.deepEqual(got.properties.tags, { v: serviceVersion });
    assert.equal(got.properties.version, set.properties.version);
    const versionsListed = [];
    for await (const p of client.listPropertiesOfSecretVersions(name)) versionsListed.push(p.version);
    assert.deepEqual(versionsListed, [set.properties.version]);

    assert.ok(urls.length >= 3, "requests were recorded");
    for (const url of urls) {
      const params = new URL(url).searchParams; // decodes api%2Dversion
      assert.equal(params.get("api-version"), serviceVersion, `request ${url}`);
    }
  });
}

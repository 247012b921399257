using System.Net;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;
using Keyhub.Core.Seal;
using Keyhub.Server.Tests.Credentials;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Hosting;

/// <summary>
/// Barrier rotation under load, through the SDK and the management API: a writer and a reader keep going while the
/// barrier rotates; the background job re-encrypts everything under the newest term; the old terms are then retired
/// and every secret still reads, also after a restart.
/// </summary>
public sealed class BarrierMaintenanceTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Rotation_under_a_writer_and_a_reader_fails_nothing_then_background_reencryption_lets_the_old_terms_retire_and_everything_reads()
    {
        var data = Directory.CreateTempSubdirectory("keyhub-barrier-").FullName;
        try
        {
            var written = new List<(string Name, string Value)>();
            await using (var server = await StartAsync(data))
            {
                var client = server.SecretClient();
                using var stop = new CancellationTokenSource();
                var failures = new List<Exception>();
                var writer = Task.Run(async () =>
                {
                    for (var i = 0; i < 40 || !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            await client.SetSecretAsync($"load-{i}", $"value {i}");
                            lock (written)
                            {
                                written.Add(($"load-{i}", $"value {i}"));
                            }
                        }
                        catch (Exception ex)
                        {
                            lock (failures)
                            {
                                failures.Add(ex);
                            }
                        }
                    }
                });
                var reader = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        (string Name, string Value)[] sample;
                        lock (written)
                        {
                            sample = [.. written.TakeLast(5)];
                        }
                        foreach (var (name, value) in sample)
                        {
                            try
                            {
                                Assert.Equal(value, (await client.GetSecretAsync(name)).Value.Value);
                            }
                            catch (Exception ex)
                            {
                                lock (failures)
                                {
                                    failures.Add(ex);
                                }
                            }
                        }
                        await Task.Delay(5);
                    }
                });
                var terms = new List<int>();
                for (var r = 0; r < 3; r++)
                {
                    await Task.Delay(150);
                    var (status, body) = await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/rotate");
                    Assert.Equal(HttpStatusCode.OK, status);
                    terms.Add(body!["term"]!.GetValue<int>());
                }
                stop.Cancel();
                await Task.WhenAll(writer, reader);

                Assert.Empty(failures);
                Assert.Equal([2, 3, 4], terms);

                // The background job (every Tick here) re-encrypts under term 4; its status then counts no record under 1–3.
                var settled = await EventuallyAsync(server, b => b["terms"]!.AsArray().All(t => t!["active"]!.GetValue<bool>() || t["records"]?.GetValue<long>() == 0));
                Assert.Equal(4, settled["activeTerm"]!.GetValue<int>());
                foreach (var old in new[] { 1, 2, 3 })
                {
                    var (status, _) = await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/retire", new { term = old });
                    Assert.Equal(HttpStatusCode.OK, status);
                }
                var (_, after) = await CredentialKit.ManageAsync(server, HttpMethod.Get, "/barrier");
                Assert.Equal([4], after!["terms"]!.AsArray().Select(t => t!["term"]!.GetValue<int>()));
                await AssertAllReadAsync(client, written);

                // Only the Owner: a data-plane officer may neither read the barrier nor retire terms.
                var officer = await server.AddPrincipalAsync("officer", BuiltInRoles.SecretsOfficer);
                using var raw = server.HttpClient();
                raw.DefaultRequestHeaders.Authorization = new("Bearer", await Security.TokenRequests.AccessTokenAsync(server, officer.ClientId, officer.ClientSecret));
                Assert.Equal(HttpStatusCode.Forbidden, (await raw.GetAsync(new Uri("/keyhub/v1/barrier", UriKind.Relative))).StatusCode);
                Assert.Equal(HttpStatusCode.Forbidden, (await raw.PostAsync(new Uri("/keyhub/v1/barrier/retire", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { term = 4 }))).StatusCode);
            }

            await using (var restarted = await StartAsync(data))
            {
                await AssertAllReadAsync(restarted.SecretClient(), written);
                var (_, status) = await CredentialKit.ManageAsync(restarted, HttpMethod.Get, "/barrier");
                Assert.Equal(4, status!["activeTerm"]!.GetValue<int>());
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Retiring_a_term_that_records_still_use_is_refused_with_409_and_the_count()
    {
        var data = Directory.CreateTempSubdirectory("keyhub-barrier-").FullName;
        try
        {
            // No background pass: the records stay under term 1.
            await using var server = await StartAsync(data, interval: TimeSpan.FromHours(1));
            await server.SecretClient().SetSecretAsync("kept", "v");
            Assert.Equal(HttpStatusCode.OK, (await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/rotate")).Status);

            var (status, body) = await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/retire", new { term = 1 });
            var (badStatus, _) = await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/retire", new { term = "one" });

            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Contains("still encrypted under term 1", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, badStatus);
            var (_, reencrypted) = await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/reencrypt");
            Assert.True(reencrypted!["reencrypted"]!.GetValue<int>() > 0);
            Assert.Equal(HttpStatusCode.OK, (await CredentialKit.ManageAsync(server, HttpMethod.Post, "/barrier/retire", new { term = 1 })).Status);
            Assert.Equal("v", (await server.SecretClient().GetSecretAsync("kept")).Value.Value);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static Task<KeyhubTestServer> StartAsync(string data, TimeSpan? interval = null) => KeyhubTestServer.StartAsync(
        configure: o => o with { BarrierInterval = interval ?? Tick, Barrier = new BarrierPolicy { RetireAfter = TimeSpan.Zero } },
        dataDirectory: data,
        keepDataDirectory: true);

    private static async Task AssertAllReadAsync(SecretClient client, List<(string Name, string Value)> written)
    {
        Assert.True(written.Count >= 40);
        foreach (var (name, value) in written)
        {
            Assert.Equal(value, (await client.GetSecretAsync(name)).Value.Value);
        }
    }

    private static async Task<JsonNode> EventuallyAsync(KeyhubTestServer server, Func<JsonNode, bool> condition)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var (_, body) = await CredentialKit.ManageAsync(server, HttpMethod.Get, "/barrier");
            if (condition(body!))
            {
                return body!;
            }
            await Task.Delay(Tick);
        }
        throw new TimeoutException("The background re-encryption did not finish within 30 s.");
    }
}

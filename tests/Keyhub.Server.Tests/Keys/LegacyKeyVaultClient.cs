using System.Collections.Concurrent;
using Azure.Core;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Azure.KeyVault;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// The older official .NET client, <c>Microsoft.Azure.KeyVault</c> 3.0.5 (api-version 7.0), set up the way
/// its users did: an authentication callback that answers the 401 challenge with a token, here from
/// Keyhub's own token endpoint through Azure.Identity. Every challenge and request is recorded.
/// </summary>
internal sealed class LegacyKeyVaultClient : IDisposable
{
    private readonly HttpClient _http;

    public LegacyKeyVaultClient(KeyhubTestServer server)
    {
        var credential = server.Credential();
        _http = new HttpClient(new RecordingHandler(Requests) { InnerHandler = TestTransport.Handler(server.CaCertificate) });
        Client = new KeyVaultClient(
            new KeyVaultClient.AuthenticationCallback(async (authority, resource, scope) =>
            {
                Challenges.Enqueue((authority, resource, scope));
                var token = await credential.GetTokenAsync(new TokenRequestContext([resource + "/.default"]), CancellationToken.None);
                return token.Token;
            }),
            _http);
        // The client puts "/keys/..." after the base URL itself, so the base has no trailing slash.
        VaultBaseUrl = server.VaultUri.ToString().TrimEnd('/');
    }

    public KeyVaultClient Client { get; }

    public string VaultBaseUrl { get; }

    /// <summary>The (authority, resource, scope) of every challenge the callback was asked to answer.</summary>
    public ConcurrentQueue<(string Authority, string Resource, string Scope)> Challenges { get; } = new();

    public ConcurrentQueue<(HttpMethod Method, Uri Uri)> Requests { get; } = new();

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }

    private sealed class RecordingHandler(ConcurrentQueue<(HttpMethod, Uri)> requests) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue((request.Method, request.RequestUri!));
            return base.SendAsync(request, cancellationToken);
        }
    }
}

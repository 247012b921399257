using System.Text.Json;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// The keys tests' Keyhub (dev mode, system clock), an administrator's raw client, and keys that are
/// expensive to make (RSA 3072 and 4096) or shared by many tests, each generated once per run.
/// </summary>
public sealed class KeysServer : IAsyncLifetime
{
    private readonly Dictionary<string, Task<JsonElement>> _shared = new(StringComparer.Ordinal);
    private KeyhubTestServer? _server;
    private RawKeysClient? _admin;

    public KeyhubTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    internal RawKeysClient Admin => _admin ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await KeyhubTestServer.StartAsync();
        _admin = await RawKeysClient.ConnectAsync(_server);
    }

    /// <summary>
    /// The KeyBundle of a key created once under <paramref name="label"/> (tests of one collection run one
    /// at a time, so no lock is needed). Tests that use it must not change it.
    /// </summary>
    internal Task<JsonElement> SharedKeyAsync(string label, string kty, int? size = null, string? crv = null)
    {
        if (!_shared.TryGetValue(label, out var key))
        {
            key = Admin.CreateOkAsync(RawKeysClient.UniqueName("shared-" + label), kty, size, crv);
            _shared[label] = key;
        }
        return key;
    }

    internal Task<JsonElement> Rsa2048Async() => SharedKeyAsync("rsa-2048", "RSA", 2048);

    internal Task<JsonElement> Rsa3072Async() => SharedKeyAsync("rsa-3072", "RSA", 3072);

    internal Task<JsonElement> Rsa4096Async() => SharedKeyAsync("rsa-4096", "RSA", 4096);

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class KeysServerCollection : ICollectionFixture<KeysServer>
{
    public const string Name = "keys keyhub";
}

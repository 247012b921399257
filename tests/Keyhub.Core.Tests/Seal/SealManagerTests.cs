using Keyhub.Core.Barrier;
using Keyhub.Core.Errors;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Seal;

public sealed class SealManagerTests : IDisposable
{
    private static readonly RecordKey Record = new("hub", "secret-version", "db-password", "0123456789abcdef0123456789abcdef");
    private static CancellationToken Ct => CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private readonly InMemoryRecordStore _store = new();
    private readonly FakeTimeProvider _time = new(TestDeployment.Start);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Is_sealed_until_initialised_and_refuses_the_barrier_with_503()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using var manager = new SealManager(_store, seal, _time);

        Assert.True(manager.IsSealed);
        var error = Assert.Throws<KeyhubException>(() => manager.Barrier);
        Assert.Equal(503, error.Status);
    }

    [Fact]
    public async Task First_start_stores_a_wrapped_root_key_and_an_encrypted_keyring_and_unseals()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using var manager = new SealManager(_store, seal, _time);

        await manager.InitializeOrUnsealAsync(Ct);

        Assert.False(manager.IsSealed);
        var root = await _store.GetAsync(SealManager.RootKeyRecord, Ct);
        var ring = await _store.GetAsync(SealManager.KeyRingRecord, Ct);
        Assert.NotNull(root);
        Assert.NotNull(ring);
        Assert.Equal(AesGcmEnvelope.Overhead + 32, root.Payload.Length);
        Assert.Equal(AesGcmEnvelope.Overhead + 4 + 44, ring.Payload.Length);
        Assert.Equal(TestDeployment.Start, root.Created);
    }

    [Fact]
    public async Task Second_start_over_the_same_store_and_seal_decrypts_records_written_by_the_first()
    {
        var path = _directory.File("seal.key");
        byte[] ciphertext;
        using (var seal = KeyFileSeal.OpenOrCreate(path))
        using (var first = new SealManager(_store, seal, _time))
        {
            await first.InitializeOrUnsealAsync(Ct);
            ciphertext = first.Barrier.Encrypt(Record, "written before restart"u8);
        }
        var root = (await _store.GetAsync(SealManager.RootKeyRecord, Ct))!.Payload;

        using var reopened = KeyFileSeal.OpenOrCreate(path);
        using var second = new SealManager(_store, reopened, _time);
        await second.InitializeOrUnsealAsync(Ct);

        Assert.False(second.IsSealed);
        Assert.Equal("written before restart"u8.ToArray(), second.Barrier.Decrypt(Record, ciphertext));
        Assert.Equal(root, (await _store.GetAsync(SealManager.RootKeyRecord, Ct))!.Payload);
    }

    [Fact]
    public async Task A_different_seal_key_fails_to_unseal_and_stays_sealed()
    {
        using (var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key")))
        using (var first = new SealManager(_store, seal, _time))
        {
            await first.InitializeOrUnsealAsync(Ct);
        }

        using var wrongSeal = KeyFileSeal.OpenOrCreate(_directory.File("other.key"));
        using var second = new SealManager(_store, wrongSeal, _time);

        await Assert.ThrowsAsync<BarrierException>(() => second.InitializeOrUnsealAsync(Ct));
        Assert.True(second.IsSealed);
    }

    [Fact]
    public async Task Two_deployments_have_different_keyrings()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using var first = new SealManager(_store, seal, _time);
        using var second = new SealManager(new InMemoryRecordStore(), seal, _time);
        await first.InitializeOrUnsealAsync(Ct);
        await second.InitializeOrUnsealAsync(Ct);

        var ciphertext = first.Barrier.Encrypt(Record, "x"u8);

        Assert.Throws<BarrierException>(() => second.Barrier.Decrypt(Record, ciphertext));
    }

    [Fact]
    public async Task Tampered_keyring_record_fails_to_unseal()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using (var first = new SealManager(_store, seal, _time))
        {
            await first.InitializeOrUnsealAsync(Ct);
        }
        var ring = (await _store.GetAsync(SealManager.KeyRingRecord, Ct))!;
        ring.Payload[^1] ^= 1;
        await _store.WriteAsync([new RecordWrite.Put(ring)], Ct);

        using var second = new SealManager(_store, seal, _time);

        await Assert.ThrowsAsync<BarrierException>(() => second.InitializeOrUnsealAsync(Ct));
        Assert.True(second.IsSealed);
    }

    [Fact]
    public async Task Missing_keyring_record_fails_to_unseal()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using (var first = new SealManager(_store, seal, _time))
        {
            await first.InitializeOrUnsealAsync(Ct);
        }
        await _store.WriteAsync([new RecordWrite.Remove(SealManager.KeyRingRecord)], Ct);

        using var second = new SealManager(_store, seal, _time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => second.InitializeOrUnsealAsync(Ct));
        Assert.True(second.IsSealed);
    }
}

using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Errors;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Seal;

public sealed class ShamirSealTests
{
    private static CancellationToken Ct => CancellationToken.None;
    private static readonly byte[] RootKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public async Task After_a_restart_the_seal_stays_shut_until_a_threshold_of_shares_arrives_in_any_order()
    {
        var (created, shares) = ShamirSeal.Create(5, 3);
        var wrapped = await created.WrapAsync(RootKey, Ct);
        created.Dispose();

        using var restarted = new ShamirSeal(created.Config);
        Assert.Equal(503, (await Assert.ThrowsAsync<KeyhubException>(() => restarted.UnwrapAsync(wrapped, Ct))).Status);

        Assert.Equal(new UnsealProgress(1, 3), restarted.Submit(shares[4]));
        Assert.Equal(503, (await Assert.ThrowsAsync<KeyhubException>(() => restarted.UnwrapAsync(wrapped, Ct))).Status);
        Assert.Equal(new UnsealProgress(2, 3), restarted.Submit(shares[1]));
        var done = restarted.Submit(shares[2]);

        Assert.True(done.Complete);
        Assert.Equal(RootKey, await restarted.UnwrapAsync(wrapped, Ct));
    }

    [Fact]
    public void A_wrong_altered_foreign_or_repeated_share_is_refused_and_the_shares_already_given_still_count()
    {
        var (created, shares) = ShamirSeal.Create(5, 3);
        var (_, foreign) = ShamirSeal.Create(5, 3);
        using var seal = new ShamirSeal(created.Config);
        seal.Submit(shares[0]);
        var altered = (byte[])shares[1].Clone();
        altered[7] ^= 0x40;

        Assert.Throws<ArgumentException>(() => seal.Submit(altered));
        Assert.Throws<ArgumentException>(() => seal.Submit(foreign[1]));
        Assert.Throws<ArgumentException>(() => seal.Submit(shares[0]));
        Assert.Throws<ArgumentException>(() => seal.Submit(shares[1][..10]));
        Assert.Throws<ArgumentException>(() => seal.Submit(Encoding.ASCII.GetBytes("not a share at all, not even close to one")));
        Assert.Equal(new UnsealProgress(1, 3), seal.Progress);

        seal.Submit(shares[1]);
        Assert.True(seal.Submit(shares[3]).Complete);
    }

    [Fact]
    public async Task Sealing_again_forgets_the_key_and_the_shares_given()
    {
        var (seal, shares) = ShamirSeal.Create(3, 2);
        var wrapped = await seal.WrapAsync(RootKey, Ct);

        seal.Seal();

        Assert.Equal(503, (await Assert.ThrowsAsync<KeyhubException>(() => seal.UnwrapAsync(wrapped, Ct))).Status);
        Assert.Equal(new UnsealProgress(0, 2), seal.Progress);
        seal.Submit(shares[2]);
        seal.Submit(shares[0]);
        Assert.Equal(RootKey, await seal.UnwrapAsync(wrapped, Ct));
        seal.Dispose();
    }

    [Fact]
    public async Task A_deployment_initialised_with_shares_reads_its_data_after_a_restart_only_once_unsealed()
    {
        var store = new InMemoryRecordStore();
        var time = new FakeTimeProvider(TestDeployment.Start);
        var key = new RecordKey("hub", "secret-version", "db-password", "0123456789abcdef0123456789abcdef");
        var (created, shares) = ShamirSeal.Create(5, 3);
        byte[] ciphertext;
        using (var first = new SealManager(store, created, time))
        {
            await first.InitializeOrUnsealAsync(Ct);
            ciphertext = first.Barrier.Encrypt(key, "s3cr3t"u8);
        }
        created.Dispose();

        using var seal = new ShamirSeal(created.Config);
        using var manager = new SealManager(store, seal, time);
        Assert.Equal(503, (await Assert.ThrowsAsync<KeyhubException>(() => manager.InitializeOrUnsealAsync(Ct))).Status);
        Assert.True(manager.IsSealed);

        seal.Submit(shares[3]);
        seal.Submit(shares[0]);
        seal.Submit(shares[4]);
        await manager.InitializeOrUnsealAsync(Ct);

        Assert.Equal("s3cr3t"u8.ToArray(), manager.Barrier.Decrypt(key, ciphertext));
    }
}

using System.Security.Cryptography;
using Keyhub.Core.Barrier;
using Keyhub.Core.Seal;
using Keyhub.Core.Tests.Support;

namespace Keyhub.Core.Tests.Seal;

public sealed class KeyFileSealTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Creates_a_32_byte_key_file_readable_and_writable_by_the_owner_only()
    {
        var path = _directory.File("seal.key");

        using var seal = KeyFileSeal.OpenOrCreate(path);

        Assert.Equal(KeyRing.KeySize, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal("keyfile", seal.Kind);
    }

    [Fact]
    public void Creating_the_key_file_leaves_no_temporary_file_behind()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));

        Assert.Equal(["seal.key"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Creates_missing_parent_directories()
    {
        var path = Path.Combine(_directory.Path, "a", "b", "seal.key");

        using var seal = KeyFileSeal.OpenOrCreate(path);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Unwrap_returns_what_Wrap_was_given()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        var rootKey = RandomNumberGenerator.GetBytes(32);

        var wrapped = await seal.WrapAsync(rootKey, Ct);

        Assert.Equal(rootKey, await seal.UnwrapAsync(wrapped, Ct));
        Assert.Equal(-1, wrapped.AsSpan().IndexOf(rootKey));
    }

    [Fact]
    public async Task Reopening_the_same_key_file_unwraps_what_the_first_instance_wrapped()
    {
        var path = _directory.File("seal.key");
        var rootKey = RandomNumberGenerator.GetBytes(32);
        byte[] wrapped;
        using (var first = KeyFileSeal.OpenOrCreate(path))
        {
            wrapped = await first.WrapAsync(rootKey, Ct);
        }

        using var second = KeyFileSeal.OpenOrCreate(path);

        Assert.Equal(rootKey, await second.UnwrapAsync(wrapped, Ct));
    }

    [Fact]
    public async Task Another_key_file_cannot_unwrap()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using var other = KeyFileSeal.OpenOrCreate(_directory.File("other.key"));
        var wrapped = await seal.WrapAsync(RandomNumberGenerator.GetBytes(32), Ct);

        await Assert.ThrowsAsync<BarrierException>(() => other.UnwrapAsync(wrapped, Ct));
    }

    [Fact]
    public async Task Wrapped_root_key_with_a_flipped_bit_is_refused()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        var wrapped = await seal.WrapAsync(RandomNumberGenerator.GetBytes(32), Ct);
        wrapped[^3] ^= 0x10;

        await Assert.ThrowsAsync<BarrierException>(() => seal.UnwrapAsync(wrapped, Ct));
    }

    [Fact]
    public async Task Barrier_envelope_under_the_same_key_but_other_associated_data_is_refused()
    {
        var path = _directory.File("seal.key");
        using var seal = KeyFileSeal.OpenOrCreate(path);
        var foreign = AesGcmEnvelope.Seal(File.ReadAllBytes(path), 0, RandomNumberGenerator.GetBytes(32), "keyhub/keyring"u8);

        await Assert.ThrowsAsync<BarrierException>(() => seal.UnwrapAsync(foreign, Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Key_file_of_the_wrong_length_is_refused(int length)
    {
        var path = _directory.File("seal.key");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(length));

        var error = Assert.Throws<InvalidOperationException>(() => KeyFileSeal.OpenOrCreate(path));

        Assert.Contains("32-byte", error.Message, StringComparison.Ordinal);
        Assert.Equal(length, new FileInfo(path).Length);
    }
}

using System.Security.Cryptography;
using Keyhub.Core.Seal;

namespace Keyhub.Core.Tests.Seal;

public sealed class ShamirTests
{
    private static readonly byte[] RootKey = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");

    // FIPS-197 §4.2 and §4.2.1: {57}·{83} = {c1}, {57}·{13} = {fe}, {53}·{ca} = {01}.
    [Theory]
    [InlineData(0x57, 0x83, 0xC1)]
    [InlineData(0x57, 0x13, 0xFE)]
    [InlineData(0x53, 0xCA, 0x01)]
    [InlineData(0x00, 0x9A, 0x00)]
    [InlineData(0x01, 0x9A, 0x9A)]
    public void Field_multiplication_matches_the_AES_specification(int a, int b, int product)
    {
        Assert.Equal((byte)product, Gf256.Multiply((byte)a, (byte)b));
        Assert.Equal((byte)product, Gf256.Multiply((byte)b, (byte)a));
    }

    [Fact]
    public void Field_multiplication_and_inverse_agree_with_a_straightforward_reference_for_every_pair()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(ReferenceMultiply(a, b), Gf256.Multiply((byte)a, (byte)b));
            }
            if (a != 0)
            {
                Assert.Equal(1, Gf256.Multiply((byte)a, Gf256.Inverse((byte)a)));
            }
        }
        Assert.Equal(0, Gf256.Inverse(0));
    }

    [Fact]
    public void Shares_made_from_fixed_coefficients_are_the_polynomial_evaluated_at_each_x()
    {
        // f(x) = s + c1·x + c2·x² per byte, with c1 = 0x02 and c2 = 0x03 for every byte.
        var secret = new byte[] { 0x00, 0x01, 0x7F, 0xFF };
        var shares = Shamir.Split(secret, 5, 3, buffer => { buffer[0] = 0x02; buffer[1] = 0x03; });

        for (var i = 0; i < 5; i++)
        {
            var x = i + 1;
            Assert.Equal(x, shares[i][0]);
            for (var j = 0; j < secret.Length; j++)
            {
                var expected = secret[j] ^ ReferenceMultiply(0x02, x) ^ ReferenceMultiply(0x03, ReferenceMultiply(x, x));
                Assert.Equal((byte)expected, shares[i][j + 1]);
            }
        }
        Assert.Equal(secret, Shamir.Combine([shares[4], shares[0], shares[2]]));
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 2)]
    [InlineData(7, 7)]
    [InlineData(10, 4)]
    public void Every_threshold_sized_subset_in_any_order_recovers_the_secret(int count, int threshold)
    {
        var shares = Shamir.Split(RootKey, count, threshold);

        foreach (var subset in Subsets(count, threshold))
        {
            var chosen = subset.Select(i => shares[i]).ToList();
            Assert.Equal(RootKey, Shamir.Combine(chosen));
            chosen.Reverse();
            Assert.Equal(RootKey, Shamir.Combine(chosen));
        }
        // More than the threshold works too.
        Assert.Equal(RootKey, Shamir.Combine(shares));
    }

    [Fact]
    public void Fewer_shares_than_the_threshold_do_not_recover_the_secret()
    {
        var shares = Shamir.Split(RootKey, 5, 3);

        foreach (var subset in Subsets(5, 2))
        {
            Assert.NotEqual(RootKey, Shamir.Combine(subset.Select(i => shares[i]).ToList()));
        }
    }

    [Fact]
    public void Two_splits_of_the_same_secret_share_nothing()
    {
        var first = Shamir.Split(RootKey, 5, 3);
        var second = Shamir.Split(RootKey, 5, 3);

        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual(first[i], second[i]);
        }
        // Mixing shares of two splits gives garbage, not the secret.
        Assert.NotEqual(RootKey, Shamir.Combine([first[0], first[1], second[2]]));
    }

    [Fact]
    public void A_wrong_or_altered_share_fails_its_check_value_and_the_original_passes()
    {
        var shares = Shamir.Split(RootKey, 5, 3);
        var checks = shares.Select(s => Shamir.CheckValue(s)).ToList();
        var altered = (byte[])shares[1].Clone();
        altered[^1] ^= 0x01;

        Assert.True(Shamir.Matches(shares[1], checks[1]));
        Assert.False(Shamir.Matches(altered, checks[1]));
        Assert.False(Shamir.Matches(shares[2], checks[1]));
        Assert.Equal(5, checks.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Duplicate_zero_or_mismatched_shares_are_refused()
    {
        var shares = Shamir.Split(RootKey, 5, 3);
        var zero = (byte[])shares[0].Clone();
        zero[0] = 0;

        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[0], shares[1]]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([zero, shares[1], shares[2]]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[1][..10], shares[2]]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0]]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(2, 3)]
    [InlineData(256, 3)]
    public void Impossible_share_counts_are_refused(int count, int threshold) =>
        Assert.Throws<ArgumentException>(() => Shamir.Split(RootKey, count, threshold));

    private static int ReferenceMultiply(int a, int b)
    {
        // Carry-less product, then reduction modulo x^8 + x^4 + x^3 + x + 1 (0x11B), written plainly.
        var product = 0;
        for (var i = 0; i < 8; i++)
        {
            if ((b & (1 << i)) != 0)
            {
                product ^= a << i;
            }
        }
        for (var bit = 14; bit >= 8; bit--)
        {
            if ((product & (1 << bit)) != 0)
            {
                product ^= 0x11B << (bit - 8);
            }
        }
        return product;
    }

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        var indices = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])indices.Clone();
            var i = k - 1;
            while (i >= 0 && indices[i] == n - k + i)
            {
                i--;
            }
            if (i < 0)
            {
                yield break;
            }
            indices[i]++;
            for (var j = i + 1; j < k; j++)
            {
                indices[j] = indices[j - 1] + 1;
            }
        }
    }
}

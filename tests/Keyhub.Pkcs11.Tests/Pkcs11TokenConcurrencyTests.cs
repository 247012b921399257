using System.Security.Cryptography;

namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenConcurrencyTests(Pkcs11TokenConcurrencyTests.Keys keys) : IClassFixture<Pkcs11TokenConcurrencyTests.Keys>
{
    [SoftHsmFact]
    public void Eight_threads_use_one_token_at_once()
    {
        const int threads = 8;
        const int rounds = 12;
        var token = keys.Token;
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(worker => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var round = 0; round < rounds; round++)
            {
                var plaintext = RandomNumberGenerator.GetBytes(64);
                var iv = RandomNumberGenerator.GetBytes(12);
                var aad = BitConverter.GetBytes(worker);
                Assert.Equal(plaintext, token.DecryptAesGcm(keys.AesId, iv, aad, token.EncryptAesGcm(keys.AesId, iv, aad, plaintext, 16), 16));

                var digest = SHA256.HashData(plaintext);
                Assert.True(token.VerifyEcdsa(keys.EcId, digest, token.SignEcdsa(keys.EcId, digest)));
                Assert.False(token.VerifyEcdsa(keys.EcId, digest, new byte[64]));

                Assert.Equal(plaintext[..32], token.UnwrapKeyAes(keys.AesId, token.WrapKeyAes(keys.AesId, plaintext[..32])));

                var id = TokenFixture.NewId();
                token.GenerateAesKey(id, $"worker {worker}", 16);
                Assert.True(token.Exists(id));
                token.Destroy(id);
                Assert.False(token.Exists(id));

                if (round % 4 == 0)
                {
                    var pair = TokenFixture.NewId();
                    var publicKey = token.GenerateEcKeyPair(pair, $"worker {worker}", "P-256");
                    Assert.Equal(publicKey.X, token.GetEcPublic(pair).X);
                    token.Destroy(pair);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Task.WaitAll(workers);
    }

    public sealed class Keys : TokenFixture
    {
        public Keys()
            : base("threads")
        {
            if (SoftHsm.IsAvailable)
            {
                Token.GenerateAesKey(AesId, "aes", 32);
                Token.GenerateEcKeyPair(EcId, "ec", "P-256");
            }
        }

        public byte[] AesId { get; } = NewId();

        public byte[] EcId { get; } = NewId();
    }
}

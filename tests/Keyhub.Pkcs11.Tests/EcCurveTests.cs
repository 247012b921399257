using System.Security.Cryptography;

namespace Keyhub.Pkcs11.Tests;

public sealed class EcCurveTests
{
    [Fact]
    public void Ec_params_of_p256_are_the_der_oid_of_prime256v1()
    {
        Assert.Equal(Convert.FromHexString("06082A8648CE3D030107"), EcCurve.FromName("P-256").EcParams());
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    [InlineData("P-521")]
    [InlineData("P-256K")]
    public void Ec_params_read_back_as_the_same_curve(string name)
    {
        Assert.Equal(name, EcCurve.FromEcParams(EcCurve.FromName(name).EcParams())?.Name);
    }

    [Fact]
    public void Unknown_curves_are_refused_by_name_and_unknown_by_params()
    {
        Assert.Throws<ArgumentException>(() => EcCurve.FromName("P-192"));
        Assert.Null(EcCurve.FromEcParams(Convert.FromHexString("06052B81040021"))); // secp224r1
        Assert.Null(EcCurve.FromEcParams([0x30, 0x00]));
    }

    [Fact]
    public void Dotnet_named_curves_match_by_oid()
    {
        Assert.True(EcCurve.FromName("P-384").Matches(ECCurve.NamedCurves.nistP384));
        Assert.False(EcCurve.FromName("P-256").Matches(ECCurve.NamedCurves.nistP384));
        Assert.True(EcCurve.FromName("P-256K").Matches(ECCurve.CreateFromValue("1.3.132.0.10")));
    }
}

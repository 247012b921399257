using Keyhub.Commands;

try
{
    return args switch
    {
        ["server", .. var rest] => await ServerCommand.RunAsync(Arguments.Parse(rest)),
        ["dev", "env", .. var rest] => DevEnvCommand.Run(Arguments.Parse(rest)),
        ["principal", "hash-secret", .. var rest] => PrincipalCommand.HashSecret(Arguments.Parse(rest)),
        ["principal", var verb, .. var rest] => await PrincipalCommand.RunAsync(verb, Arguments.Parse(rest)),
        [] or ["help" or "--help" or "-h", ..] => Usage.Print(Console.Out, 0),
        _ => Usage.Print(Console.Error, 2),
    };
}
catch (CommandLineException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 2;
}
catch (Keyhub.Core.Errors.KeyhubException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 1;
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 1;
}

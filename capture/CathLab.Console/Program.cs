using CathLab.Console.Commands;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await CommandTable.DispatchAsync(args, Console.Out, Console.Error, cancel.Token);

using HighLoad.Deploy;

return DeployCommand.Run(args);

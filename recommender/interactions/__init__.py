"""Recording what shoppers do (services) for the behaviour signals and style profiles to read."""

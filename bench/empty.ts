// An empty program: the start-up benchmark times the runtime starting and exiting with and without the preload.
export {};

console.log("offline-dictation CLI");

// A standalone fake EventService on 127.0.0.1 for measuring `holdfast import`
// without the store (the client's own ceiling). Prints the port, serves until
// killed.
//
//   fake_event_server [PORT]      (default 0: any free port)
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "tests/client/fake_event_service.h"

int main(int argc, char** argv) {
  const std::string address = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "0");
  holdfast::testing::FakeEventService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "fake_event_server: cannot listen on " << address << "\n";
    return 1;
  }
  std::cout << port << std::endl;
  server->Wait();
  return 0;
}

// Calls any RPC by its full method name with an empty request message over a
// real channel, for tests that check access rather than behaviour (the role
// matrix): one generic streaming call fits unary, client-, server- and
// bidi-streaming methods alike.
#ifndef HOLDFAST_TESTS_SERVER_AUTH_CALL_H_
#define HOLDFAST_TESTS_SERVER_AUTH_CALL_H_

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace holdfast::testing {

// Sends one empty message and half-closes, reads what comes (cancelling after
// the first reply, so an endless server stream such as Health/Watch ends), and
// returns the call's status. `authorization` empty: no header.
inline grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& authorization) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int id) {
    cq.Next(&tag, &ok);
    (void)id;
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    grpc::Slice empty("", 0);
    grpc::ByteBuffer request(&empty, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    grpc::ByteBuffer reply;
    call->Read(&reply, reinterpret_cast<void*>(4));
    if (step(4)) context.TryCancel();  // a reply came: the call got past the check
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_SERVER_AUTH_CALL_H_

export * from "capnweb";

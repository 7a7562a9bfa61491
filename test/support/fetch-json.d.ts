// Tests read JSON bodies of known shape; let `response.json()` be `any` there, as in lib.dom.
declare global {
  interface Response {
    json(): Promise<any>;
  }
}
export {};
